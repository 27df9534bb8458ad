package io.imagecache.ssh;

/** A host key seen while connecting: which hop ({@code host:port}) and the key as an authorized_keys line. */
public record ObservedHostKey(String hostAndPort, HostKey key) {}
