/**
 * containerd node configuration as pure functions over text: {@link io.imagecache.containerd.ContainerdVersion}
 * (what a node's containerd can read), {@link io.imagecache.containerd.MirrorSpec} with
 * {@link io.imagecache.containerd.MirrorValidation} (inputs and their rules), {@link io.imagecache.containerd.HostsToml}
 * (render and read one registry's hosts.toml) and {@link io.imagecache.containerd.ConfigToml} (point config.toml at
 * one hosts directory, keeping every other byte). No I/O: callers read and write the files. Depends on tomlj and
 * the JDK only.
 */
package io.imagecache.containerd;
