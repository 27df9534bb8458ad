package io.imagecache.provider;

import io.imagecache.rpc.PreviewCalls;
import io.imagecache.rpc.Server;
import io.imagecache.ssh.Ed25519HostKeys;

/**
 * The training run of the JVM's class-data archive (Java 17's AppCDS, Java 25's AOT cache): what the launcher runs
 * with {@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput} (the launcher's {@code --build-jvm-cache}).
 * It starts the server as {@link Main} does, asks it what a no-op preview of one resource asks ({@link PreviewCalls}),
 * stops it and exits 0, so that the classes those calls load are archived too. Prints nothing on stdout.
 */
public final class Training {
    private Training() {}

    public static void main(String[] args) throws Exception {
        System.setOut(System.err);
        Server server = Main.serve(null);
        try {
            // a key made here and dropped at exit: Check wants the text of a real private key (an OpenSSH one, as users')
            PreviewCalls.ask(server.port(), Ed25519HostKeys.generate("imagecache-training").privateKey());
        } finally {
            server.close();
        }
        System.exit(0);
    }
}
