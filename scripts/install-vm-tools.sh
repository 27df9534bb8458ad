#!/usr/bin/env bash
# Debian packages for the registry VM: its cloud-init validator and the KVM lab that boots it.
# Apart from scripts/install-tools.sh so that its cache key (which hashes that script) does not change.
#   cloud-init          `cloud-init schema` and the network-config v2 parser (registryVmCloudInit's tests)
#   qemu-system-x86 qemu-utils   the KVM hypervisor lab host's QEMU and qemu-img
#   genisoimage         NoCloud seed ISOs (label cidata)
#   grub-pc-bin fdisk e2fsprogs dosfstools   a bootable disk image from a debootstrap rootfs
# Idempotent: a second run only checks.
set -euo pipefail
log() { printf '[vm-tools] %s\n' "$*" >&2; }
packages=(cloud-init qemu-system-x86 qemu-utils genisoimage grub-pc-bin fdisk e2fsprogs dosfstools)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
