package io.imagecache.ssh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An in-memory host for unit tests at the SSH seam: files in a map, commands answered by handlers
 * the test registers (first match wins), and a log of every command and write. Like the SSH host, once the
 * engine's cancel flag (given to {@link #factory()}'s connect) is up, every command, read and write is refused
 * with {@link RemoteException.Kind#CANCELLED}, except through {@link #uncancellable()}.
 */
public final class FakeRemoteHost implements RemoteHost {
    public final Map<String, String> files = new TreeMap<>();
    public final Map<String, Integer> modes = new TreeMap<>();
    public final List<String> commands = new ArrayList<>();
    public final List<String> writes = new ArrayList<>();
    private final List<Handler> handlers = new ArrayList<>();
    private BooleanSupplier cancelled = () -> false;
    /** What was tried after {@link #drop()}: commands, {@code read <path>}, {@code write <path>}. */
    public final List<String> afterDrop = new ArrayList<>();
    private boolean dropped = false;
    /** Asked before each write: a message makes that write fail (nothing written); it may also {@link #drop()}. */
    public Function<String, String> writeFails = path -> null;

    private record Handler(String prefix, Function<String, ExecResult> answer) {}

    /** Answers every command starting with {@code prefix}. */
    public FakeRemoteHost on(String prefix, Function<String, ExecResult> answer) {
        handlers.add(new Handler(prefix, answer));
        return this;
    }

    public static ExecResult ok(String stdout) {
        return new ExecResult(0, stdout, "");
    }

    public static ExecResult fail(String stderr) {
        return new ExecResult(1, "", stderr);
    }

    /** A factory handing out this host, cancelled as the connect call says. */
    public RemoteHostFactory factory() {
        return new RemoteHostFactory() {
            @Override
            public RemoteHost connect(SshTarget target, Consumer<String> progress) {
                return FakeRemoteHost.this;
            }

            @Override
            public RemoteHost connect(SshTarget target, Consumer<String> progress, BooleanSupplier cancel)
                    throws RemoteException {
                if (cancel.getAsBoolean()) {
                    throw new RemoteException(RemoteException.Kind.CANCELLED, "cancelled before connecting to " + target);
                }
                cancelled = cancel;
                return FakeRemoteHost.this;
            }
        };
    }

    /**
     * Loses the connection, as when the node's sshd is killed: the operation under way (a command whose handler calls
     * this) and every later one fail with {@link RemoteException.Kind#IO}, also through {@link #uncancellable()}, and
     * {@link #connected()} is false. What is tried after it is in {@link #afterDrop}.
     */
    public void drop() {
        dropped = true;
    }

    @Override
    public boolean connected() {
        return !dropped;
    }

    private void refuseIfLost(String what) throws RemoteException {
        if (dropped) {
            afterDrop.add(what);
            throw new RemoteException(RemoteException.Kind.IO, "cannot open a channel on the fake host: session is down");
        }
    }

    private void refuseIfCancelled(String what) throws RemoteException {
        if (cancelled.getAsBoolean()) {
            throw new RemoteException(RemoteException.Kind.CANCELLED, "cancelled before " + what + " on the fake host");
        }
    }

    @Override
    public ExecResult exec(CommandLine command, byte[] stdin) throws RemoteException {
        refuseIfCancelled("`" + command.render() + "`");
        return run(command);
    }

    private ExecResult run(CommandLine command) throws RemoteException {
        String cmd = command.render();
        refuseIfLost(cmd);
        commands.add(cmd);
        for (Handler h : handlers) {
            if (cmd.startsWith(h.prefix())) {
                ExecResult r = h.answer().apply(cmd);
                if (dropped) {
                    throw new RemoteException(RemoteException.Kind.IO, "the connection to the fake host was lost while `"
                            + cmd + "` ran");
                }
                return r;
            }
        }
        String[] w = cmd.split(" ");
        if (w[0].equals("cp") && w[1].equals("-p") && w.length == 4) {
            if (!files.containsKey(w[2])) {
                return fail("cp: cannot stat '" + w[2] + "'");
            }
            files.put(w[3], files.get(w[2]));
            return ok("");
        }
        if (w[0].equals("stat")) {
            return files.containsKey(w[3]) ? ok(Integer.toOctalString(modes.getOrDefault(w[3], 0644)) + "\n") : fail("no such file");
        }
        if (w[0].equals("rm") && w[1].equals("-f")) {
            files.remove(w[2]);
            return ok("");
        }
        throw new AssertionError("unexpected command on the fake host: " + cmd);
    }

    @Override
    public Optional<byte[]> read(String path) throws RemoteException {
        refuseIfCancelled("reading " + path);
        refuseIfLost("read " + path);
        return get(path);
    }

    private Optional<byte[]> get(String path) {
        return Optional.ofNullable(files.get(path)).map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeAtomically(String path, byte[] content, int mode) throws RemoteException {
        refuseIfCancelled("writing " + path);
        write(path, content, mode);
    }

    private void write(String path, byte[] content, int mode) throws RemoteException {
        String failure = writeFails.apply(path);
        refuseIfLost("write " + path);
        if (failure != null) {
            throw new RemoteException(RemoteException.Kind.IO, "cannot write " + path + " on the fake host: " + failure);
        }
        put(path, content, mode);
    }

    private void put(String path, byte[] content, int mode) {
        writes.add(path);
        files.put(path, new String(content, StandardCharsets.UTF_8));
        modes.put(path, mode);
    }

    @Override
    public Tunnel tunnel(String host, int port) {
        throw new UnsupportedOperationException("no tunnels on the fake host");
    }

    @Override
    public RemoteHost uncancellable() {
        FakeRemoteHost host = this;
        return new RemoteHost() {
            @Override
            public ExecResult exec(CommandLine command, byte[] stdin) throws RemoteException {
                return host.run(command);
            }

            @Override
            public Optional<byte[]> read(String path) throws RemoteException {
                host.refuseIfLost("read " + path);
                return host.get(path);
            }

            @Override
            public void writeAtomically(String path, byte[] content, int mode) throws RemoteException {
                host.write(path, content, mode);
            }

            @Override
            public boolean connected() {
                return host.connected();
            }

            @Override
            public Tunnel tunnel(String h, int port) {
                throw new UnsupportedOperationException("no tunnels on the fake host");
            }

            @Override
            public RemoteHost uncancellable() {
                return this;
            }

            @Override
            public List<ObservedHostKey> hostKeys() {
                return List.of();
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public List<ObservedHostKey> hostKeys() {
        return List.of();
    }

    @Override
    public void close() {}
}
