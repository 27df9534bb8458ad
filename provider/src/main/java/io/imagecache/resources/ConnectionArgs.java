package io.imagecache.resources;

import io.imagecache.spi.ObjectType;
import io.imagecache.spi.Prop;

/** How to reach a host over SSH; shared by every resource. */
@ObjectType(token = "imagecache:index:Connection",
        description = "How to reach a host over SSH. Only a change of `host` replaces a resource: credentials, "
                + "ports and timeouts can change freely.")
public record ConnectionArgs(
        @Prop(description = "The host's address or DNS name, as seen from here (or from the jump host in `proxy`).",
                required = true, replaceOnChanges = true)
        String host,
        @Prop(description = "The SSH port.", hostNeutral = true, defaultValue = "22")
        Integer port,
        @Prop(description = "The user to log in as. With a user other than root, set `sudo`.", hostNeutral = true, defaultValue = "root")
        String user,
        @Prop(description = "An OpenSSH or PEM private key (the file's contents, not its path). With neither "
                + "`privateKey` nor `password`, the key in the file named by `IMAGECACHE_SSH_KEY_FILE`, else "
                + "`~/.ssh/id_ed25519`, `id_ecdsa` or `id_rsa` where `pulumi` runs, is used (and "
                + "`IMAGECACHE_SSH_PASSWORD`).", hostNeutral = true, secret = true)
        String privateKey,
        @Prop(description = "The passphrase of `privateKey`, if it is encrypted.", hostNeutral = true, secret = true)
        String privateKeyPassword,
        @Prop(description = "A password, for password or keyboard-interactive authentication.", hostNeutral = true, secret = true)
        String password,
        @Prop(description = "The host's public key as an authorized_keys line, e.g. `ssh-ed25519 AAAAC3...`. When "
                + "absent, the key seen on first contact is recorded in the resource's `hostKeys` and enforced "
                + "afterwards (trust on first use).", hostNeutral = true)
        String hostKey,
        @Prop(description = "A jump host to reach `host` through (it may have a `proxy` of its own).", hostNeutral = true)
        ConnectionArgs proxy,
        @Prop(description = "Seconds to wait for one TCP connection and SSH handshake.", hostNeutral = true, defaultValue = "15")
        Integer dialTimeoutSeconds,
        @Prop(description = "How many times to try connecting before giving up.", hostNeutral = true, defaultValue = "10")
        Integer dialAttempts,
        @Prop(description = "Seconds to wait between connection attempts.", hostNeutral = true, defaultValue = "2")
        Integer retryDelaySeconds,
        @Prop(description = "Run commands and write files as root through `sudo -n` (for a `user` other than root).", hostNeutral = true,
                defaultValue = "false")
        Boolean sudo) {

    /** {@code user@host:port}, without secrets, for messages. */
    public String describe() {
        return (user == null ? "root" : user) + "@" + host + ":" + (port == null ? 22 : port);
    }
}
