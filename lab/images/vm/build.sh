#!/usr/bin/env bash
# Builds the registry VM's base disk: Debian 12 from debootstrap with the kernel, systemd-networkd,
# cloud-init (NoCloud only), OpenSSH (no host keys) and docker.io, on a BIOS-bootable MBR disk with
# GRUB, as a compressed qcow2. Output, keyed by the hash of this directory:
#   $IMAGECACHE_CACHE/vm/<hash>/debian-12.qcow2   the disk (4 GiB virtual, grows with growpart)
#   $IMAGECACHE_CACHE/vm/<hash>/vmlinuz, initrd.img   the same kernel, for a direct kernel boot
#   $IMAGECACHE_CACHE/vm/current -> <hash>, $IMAGECACHE_CACHE/vm/debian-12.qcow2 -> <hash>/debian-12.qcow2
# The debootstrap rootfs is cached as $IMAGECACHE_CACHE/vm/rootfs-<hash>.tar (keyed by the package
# lists and the empty package; the chroot steps below are part of it), so a change to the disk layout only re-runs the cheap half. Needs root, debootstrap,
# sfdisk, losetup, mkfs.ext4, grub-mkimage with /usr/lib/grub/i386-pc (grub-pc-bin) and qemu-img
# (scripts/install-vm-tools.sh).
#
# Why no `losetup -P`/grub-install: in the lab machines' container /dev is static, so a partitioned
# loop device gets no partition nodes and grub-install cannot probe it. The filesystem goes on a
# second loop device at the partition's offset, and GRUB's boot.img (MBR) and core.img (in the gap
# before the first partition, where grub-install would embed it) are written with dd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cache=${IMAGECACHE_CACHE:-$HOME/.cache/imagecache}
out=$cache/vm
log() { printf '[vm] %s\n' "$*" >&2; }

hash_of() { (cd "$here" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }
rootfs_hash=$(hash_of packages.txt packages-apt.txt no-dhcp-client)
# the lab's registry image goes on the disk too (imagecache-lab-preload.service loads it): lab/images/build.sh saved it
registry_tar=$(readlink -f "$cache/lab/registry-2.8.tar" 2>/dev/null || true)
[[ -f $registry_tar ]] || { log "no $cache/lab/registry-2.8.tar: run lab/images/build.sh (make lab)"; exit 1; }
hash=$( { hash_of .; sha256sum < "$registry_tar"; } | sha256sum | cut -c1-16)
dir=$out/$hash
link() { ln -sfn "$hash" "$out/current"; ln -sfn "$hash/debian-12.qcow2" "$out/debian-12.qcow2"; }
if [[ -f $dir/debian-12.qcow2 ]]; then
  link
  exit 0
fi
[[ $(id -u) == 0 ]] || { log "building the VM image needs root (debootstrap, losetup, mount)"; exit 1; }
mkdir -p "$out"
start=$(date +%s)

work=$(mktemp -d)
mounts=() loops=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  for i in "${loops[@]}"; do losetup -d "$i" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mnt() { mount "$@"; mounts+=("${!#}"); }

# --- rootfs (debootstrap + cloud-init), cached as a tarball ------------------------------------------
tarball=$out/rootfs-$rootfs_hash.tar
if [[ ! -f $tarball ]]; then
  mirror=$("$root/scripts/package-sources.sh" debian-mirror bookworm)  # the archive apt on this machine uses
  pkgs=$(grep -v '^#' "$here/packages.txt" | paste -sd, -)
  r=$work/rootfs
  log "debootstrap bookworm ($pkgs)"
  debootstrap --variant=minbase --include="$pkgs" bookworm "$r" "$mirror" >"$work/log" 2>&1 \
    || { tail -30 "$work/log" >&2; exit 1; }
  mnt -t proc proc "$r/proc"; mnt -t sysfs sys "$r/sys"; mnt --bind /dev "$r/dev"
  rm -f "$r/etc/resolv.conf"; cp /etc/resolv.conf "$r/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"; chmod 755 "$r/usr/sbin/policy-rc.d"  # start nothing in the chroot
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" > "$r/etc/apt/sources.list"
  dpkg-deb --root-owner-group -b "$here/no-dhcp-client" "$r/tmp/no-dhcp-client.deb" >/dev/null
  apt_pkgs=$(grep -v '^#' "$here/packages-apt.txt" | tr '\n' ' ')
  log "apt-get install $apt_pkgs(isc-dhcp-client replaced by an empty package)"
  {
    chroot "$r" dpkg -i /tmp/no-dhcp-client.deb
    chroot "$r" apt-get update -q
    # shellcheck disable=SC2086
    chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $apt_pkgs
  } >"$work/log" 2>&1 || { tail -30 "$work/log" >&2; exit 1; }
  [[ ! -e $r/sbin/dhclient ]] || { log "dhclient is in the image"; exit 1; }
  chroot "$r" apt-get clean
  rm -rf "$r"/var/lib/apt/lists/* "$r/tmp/no-dhcp-client.deb" "$r/usr/sbin/policy-rc.d"
  chroot "$r" systemctl enable systemd-networkd systemd-resolved >/dev/null 2>&1
  # every VM makes its own identity on first boot: machine-id, SSH host keys (cloud-init writes the
  # one the provider generated, or makes new ones), hostname from the NoCloud meta-data
  : > "$r/etc/machine-id"; rm -f "$r/var/lib/dbus/machine-id" "$r"/etc/ssh/ssh_host_*
  echo localhost > "$r/etc/hostname"
  ln -sfn /run/systemd/resolve/stub-resolv.conf "$r/etc/resolv.conf"
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}"; done; mounts=()
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$r" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
  rm -rf "$r"
fi

# --- disk: MBR, one ext4 partition from 1 MiB, GRUB for BIOS ---------------------------------------
log "assembling the disk"
size=$((4 * 1024 * 1024 * 1024)) offset=$((2048 * 512))
raw=$work/disk.raw
truncate -s "$size" "$raw"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$raw"
part=$(losetup -f --show -o "$offset" --sizelimit "$((size - offset))" "$raw"); loops+=("$part")
# GRUB 2.06 reads ext4 with these features (the defaults of bookworm's mke2fs.conf)
mkfs.ext4 -q -L root -O ^orphan_file,^metadata_csum_seed "$part" 2>/dev/null || mkfs.ext4 -q -L root "$part"
uuid=$(blkid -s UUID -o value "$part")
m=$work/mnt; mkdir -p "$m"; mnt "$part" "$m"
tar --numeric-owner --xattrs --xattrs-include='*' -C "$m" -xpf "$tarball"
cp -a "$here/rootfs/." "$m/"   # config files: here, not in the tarball, so that a change to them is cheap
mkdir -p "$m/var/lib/imagecache-lab" && cp "$registry_tar" "$m/var/lib/imagecache-lab/registry-2.8.tar"
kv=$(cd "$m/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -1)
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$uuid" > "$m/etc/fstab"
cmdline="root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8"
mkdir -p "$m/boot/grub/i386-pc"
cp /usr/lib/grub/i386-pc/*.mod /usr/lib/grub/i386-pc/*.lst "$m/boot/grub/i386-pc/"
cat > "$m/boot/grub/grub.cfg" <<EOF
# written by lab/images/vm/build.sh: serial console first, so the boot is readable in QEMU's -serial log
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
menuentry 'Debian 12 (imagecache registry VM)' {
  search --no-floppy --fs-uuid --set=root $uuid
  linux /boot/vmlinuz-$kv $cmdline
  initrd /boot/initrd.img-$kv
}
EOF
mkdir -p "$work/out"
cp "$m/boot/vmlinuz-$kv" "$work/out/vmlinuz"; cp "$m/boot/initrd.img-$kv" "$work/out/initrd.img"
printf '%s\n' "$cmdline" > "$work/out/cmdline"
umount "$m"; mounts=()
losetup -d "$part"; loops=()
# core.img: the modules to find and read the partition, then grub.cfg from it; grub-mkimage writes
# its own length into diskboot's block list, and boot.img's default kernel sector is 1 (right after the MBR)
grub-mkimage -O i386-pc -o "$work/core.img" -p '(hd0,msdos1)/boot/grub' \
  biosdisk part_msdos ext2 search search_fs_uuid normal linux configfile serial terminal echo test gzio
(( $(stat -c %s "$work/core.img") < offset - 512 )) || { log "core.img does not fit before the partition"; exit 1; }
dd if=/usr/lib/grub/i386-pc/boot.img of="$raw" bs=440 count=1 conv=notrunc status=none  # keeps the partition table
dd if="$work/core.img" of="$raw" bs=512 seek=1 conv=notrunc status=none
qemu-img convert -c -O qcow2 "$raw" "$work/out/debian-12.qcow2"
rm -f "$raw"
rm -rf "$dir.partial"; mv "$work/out" "$dir.partial"; mv "$dir.partial" "$dir"
link
# older builds go, but not one a running lab host mounts (a test of another checkout may be using it)
in_use=$(ids=$(docker ps -q 2>/dev/null); [[ -z $ids ]] || docker inspect --format '{{range .Mounts}}{{.Source}} {{end}}' $ids 2>/dev/null)
for old in "$out"/*/ "$out"/rootfs-*.tar; do
  old=${old%/}
  [[ -L $old || $old == "$dir" || $old == "$tarball" || " $in_use " == *" $old "* ]] || rm -rf "$old"
done
log "built $dir/debian-12.qcow2 ($(du -h "$dir/debian-12.qcow2" | cut -f1), kernel $kv) in $(($(date +%s) - start)) s"
