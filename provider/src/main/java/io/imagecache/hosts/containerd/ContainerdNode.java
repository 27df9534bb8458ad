package io.imagecache.hosts.containerd;

import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.containerd.HostsToml;
import io.imagecache.hosts.HostOps;
import io.imagecache.spi.Context;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A containerd node over SSH: what containerd, ctr, stat and readlink say there, and the file operations
 * ContainerdMirror needs. Every ctr call goes to the socket the caller names (the one the config being applied
 * says containerd listens on); every command is bounded. Failures name the node.
 */
public final class ContainerdNode extends HostOps {
    /** Where containerd 1.x/2.x bundled by k3s and RKE2 keeps its generated config.toml. */
    public static final List<String> RANCHER_CONFIGS = List.of("/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
            "/var/lib/rancher/rke2/agent/etc/containerd/config.toml");
    private static final Duration QUICK = Duration.ofSeconds(30);
    /** How long {@code timeout} waits after its TERM before it KILLs the restart command. */
    private static final int KILL_AFTER_SECONDS = 5;
    /** {@link #hostsFilesIn}'s exit status when the node has no base64. */
    private static final int NO_BASE64 = 4;

    private final Context ctx;

    public ContainerdNode(RemoteHost host, String where, Context ctx) {
        super(host, where);
        this.ctx = ctx;
    }

    public String where() {
        return where;
    }

    public Context context() {
        return ctx;
    }

    /**
     * This node for a step that must finish once begun (a rollback): the same connection and context, every
     * command still bounded by its timeout, none refused or ended by the engine's Cancel.
     */
    public ContainerdNode uncancellable() {
        return new ContainerdNode(host.uncancellable(), where, ctx.uncancellable());
    }

    /**
     * Everything a plan needs to know of a node, in one command: where {@code configFile} leads
     * ({@code readlink -f}), k3s's and RKE2's signs ({@link #RANCHER_CONFIGS} and {@code <target>.tmpl}),
     * {@code containerd --version}, the target's mode and owner, when it changed against containerd's start, and
     * the contents of the target and of every {@code <certsDir>/<registry>/hosts.toml} (in base64; where the node has
     * no base64 or a file cannot be read, {@link NodeProbe#files()} is empty and {@link #config} and
     * {@link #hostsFilesIn(NodeProbe, String)} read them one command each, saying why a read failed).
     * The same answers as separate {@code readlink}, {@code stat}, {@code ps}, {@code containerd --version},
     * {@code cat} and directory listings, which cost a round trip each (seven on a node under load: half a second).
     */
    public NodeProbe probe(String configFile, String certsDir) throws ResourceException {
        return probe(configFile, certsDir, Optional.empty());
    }

    /**
     * The probe, told what {@code containerd --version} said the last time and of which file ({@link NodeProbe#binary}):
     * while {@code containerd} on the node's PATH is that same file (path, inode, size and change time), the version
     * is taken from {@code recorded} instead of running it (a Go program's start: 15 to 30 ms of a node's CPU, most of
     * the probe's).
     */
    public NodeProbe probe(String configFile, String certsDir, Optional<NodeProbe.Recorded> recorded) throws ResourceException {
        List<String> args = new ArrayList<>(List.of("sh", "-c", PROBE, "sh", configFile, certsDir,
                recorded.map(NodeProbe.Recorded::binary).orElse("")));
        args.addAll(RANCHER_CONFIGS);
        ExecResult r = run(CommandLine.of(args.toArray(String[]::new)).withTimeout(QUICK), "look at containerd and " + configFile);
        try {
            return NodeProbe.parse(r.stdout(), configFile, certsDir, recorded);
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, where + ": " + e.getMessage());
        }
    }

    /**
     * The probe: {@code $1} is config.toml, {@code $2} the certs directory, {@code $3} the recorded containerd binary
     * (empty for none: {@code version\tknown} is printed instead of running it when it still matches), the rest the
     * Rancher candidates. A value never holds a newline: a target with one falls back to {@code $1}, the version's
     * output is cut to its first line (by the shell), a registry directory with one leaves the files to be read one by
     * one. The files come as the sizes of the target and the hosts.toml files named on the {@code config} and
     * {@code hosts} lines, in that order, then the base64 of all of them at once ({@code data} lines); {@code files}
     * comes last and only when every file was read. Eight processes on a node whatever it holds, nine when
     * containerd's version is not known (the tools' own forks; dash's builtins do the rest): the commands a probe runs
     * are what a node spends most of its CPU on in an apply.
     */
    static final String PROBE = "nl='\n'; t=$(readlink -f -- \"$1\" 2>/dev/null) || t=; "
            + "case $t in /*) ;; *) t=$1 ;; esac; case $t in *\"$nl\"*) t=$1 ;; esac; printf 'target\\t%s\\n' \"$t\"; "
            + "d=$2; k=$3; shift 3; for f in \"$@\" \"$t.tmpl\"; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then printf 'rancher\\t%s\\n' \"$f\"; fi; done; "
            // which file containerd is: "<path> <inode> <size> <ctime>", none for a path with a newline
            + "b=; if c=$(command -v containerd 2>/dev/null); then case $c in /*) b=$(stat -L -c '%i %s %z' -- \"$c\" 2>/dev/null) "
            + "&& b=\"$c $b\" || b= ;; esac; fi; case $b in *\"$nl\"*) b= ;; esac; [ -z \"$b\" ] || printf 'binary\\t%s\\n' \"$b\"; "
            + "if [ -n \"$k\" ] && [ \"$b\" = \"$k\" ]; then printf 'version\\tknown\\n'; else "
            + "v=$(containerd --version 2>/dev/null); x=$?; printf 'version\\t%s\\t%s\\n' \"$x\" \"${v%%\"$nl\"*}\"; "
            + "if [ $x -ne 0 ]; then printf 'versionerr\\t%s\\n' \"$(containerd --version 2>&1 >/dev/null | tr '\\n\\t' '  ')\"; fi; fi; "
            + "if s=$(stat -L -c '%a %u %g %Y' -- \"$t\" 2>/dev/null); then printf 'stat\\t%s\\n' \"${s% *}\"; "
            // the youngest containerd's age: the smallest of ps's numbers, none when it prints anything else
            + "y=; set -f; for w in $(ps -o etimes= -C containerd 2>/dev/null); do case $w in *[!0-9]*) y=; break ;; esac; "
            + "if [ -z \"$y\" ] || [ \"$w\" -lt \"$y\" ]; then y=$w; fi; done; set +f; "
            + "if [ -n \"$y\" ] && now=$(date +%s); then printf 'started\\t%s %s\\n' \"$((now - y))\" \"${s##* }\"; fi; fi; "
            + "command -v base64 >/dev/null 2>&1 || exit 0; ok=1; set --; "
            + "if [ -e \"$t\" ] || [ -L \"$t\" ]; then set -- \"$t\"; printf 'config\\t-\\n'; fi; "
            + "if cd \"$d\" 2>/dev/null; then for f in */hosts.toml; do [ -f \"$f\" ] || continue; "
            + "case $f in *\"$nl\"*) ok=; continue ;; esac; set -- \"$@\" \"$f\"; printf 'hosts\\t%s\\n' \"${f%/hosts.toml}\"; done; fi; "
            + "if [ $# -gt 0 ]; then z=$(stat -L -c %s -- \"$@\" 2>/dev/null) || ok=; printf 'size\\t%s\\n' $z; "
            + "b=$(cat -- \"$@\" 2>/dev/null | base64) || ok=; printf 'data\\t%s\\n' $b; fi; "
            + "[ -z \"$ok\" ] || printf 'files\\tread\\n'; exit 0";

    /** config.toml's target as the probe read it, or read now when it could not. */
    public Optional<String> config(NodeProbe p) throws ResourceException {
        return p.files().isPresent() ? p.files().get().config() : read(p.target());
    }

    /** The hosts.toml files in {@code certsDir} (registry -> content): the probe's when it read that directory. */
    public Map<String, String> hostsFilesIn(NodeProbe p, String certsDir) throws ResourceException {
        return p.files().isPresent() && p.certsDir().equals(certsDir) ? p.files().get().hostsFiles() : hostsFilesIn(certsDir);
    }

    /** The probe's containerd version, or why there is none, as {@link #version} says it. */
    public ContainerdVersion version(NodeProbe p) throws ResourceException {
        return versionOf(p.versionExit(), p.versionOut(), p.versionErr().isEmpty() ? "exit status " + p.versionExit() : p.versionErr());
    }

    /** The probe's mode and owner of config.toml's target; empty when it does not exist. */
    public Optional<FileStat> stat(NodeProbe p) throws ResourceException {
        try {
            return p.stat().map(FileStat::parse);
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "cannot read the mode of " + p.target()
                    + " on " + where + ": " + e.getMessage());
        }
    }

    /** {@code containerd --version}, parsed. */
    public ContainerdVersion version() throws ResourceException {
        ExecResult r = run(CommandLine.script("containerd --version").withTimeout(QUICK), null);
        return versionOf(r.exitCode(), r.stdout(), r.message());
    }

    /** What {@code containerd --version} said, parsed; {@code why} is what to show when it failed. */
    private ContainerdVersion versionOf(int exit, String stdout, String why) throws ResourceException {
        if (exit != 0) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "cannot find containerd on "
                    + where + " (`containerd --version` failed: " + why + "); is this a containerd node?");
        }
        try {
            return ContainerdVersion.parse(stdout);
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, where + ": " + e.getMessage());
        }
    }

    /**
     * Every {@code <certsDir>/<registry>/hosts.toml} on the node: registry -> content. One command for the whole
     * directory (names and contents in base64, {@link HostsListing}); where base64 is missing, one per file.
     */
    public Map<String, String> hostsFilesIn(String certsDir) throws ResourceException {
        String script = "cd \"$1\" 2>/dev/null || exit 0; command -v base64 >/dev/null 2>&1 || exit " + NO_BASE64
                + "; for d in */hosts.toml; do [ -f \"$d\" ] || continue; n=${d%/hosts.toml}; "
                + "c=$(base64 < \"$d\") || exit 5; printf '%s' \"$n\" | base64 | tr -d '\\n'; printf ' %s\\n' \"$c\" | tr -d '\\n'; echo; done";
        ExecResult r = run(CommandLine.of("sh", "-c", script, "sh", certsDir).withTimeout(QUICK), null);
        if (r.exitCode() == 0) {
            Optional<Map<String, String>> listed = HostsListing.parse(r.stdout());
            if (listed.isPresent()) {
                return listed.get();
            }
        } else if (r.exitCode() != NO_BASE64) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "cannot read the hosts.toml files in "
                    + certsDir + " on " + where + ": " + r.message());
        }
        Map<String, String> out = new TreeMap<>();
        for (String reg : registriesIn(certsDir)) {
            read(HostsToml.path(certsDir, reg)).ifPresent(c -> out.put(reg, c));
        }
        return out;
    }

    /** The registry directories under {@code certsDir} that hold a hosts.toml. */
    public List<String> registriesIn(String certsDir) throws ResourceException {
        ExecResult r = run(CommandLine.script("cd " + CommandLine.quote(certsDir)
                + " 2>/dev/null && for d in */hosts.toml; do [ -f \"$d\" ] && echo \"${d%/hosts.toml}\"; done; true")
                .withTimeout(QUICK), null);
        return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
    }

    /**
     * The files that config.toml's {@code imports} (globs; relative ones from {@code configDir}) match on the node.
     * The directory part is listed and the file-name part matched here, so no glob from the file reaches a shell;
     * a glob in the directory part is answered with the glob itself (it may match, and is named as it is).
     */
    public List<String> filesImported(List<String> globs, String configDir) throws ResourceException {
        List<String> out = new ArrayList<>();
        for (String g : globs) {
            String path = g.startsWith("/") ? g : configDir + "/" + g;
            int slash = path.lastIndexOf('/');
            String dir = slash == 0 ? "/" : path.substring(0, slash);
            String name = path.substring(slash + 1);
            if (dir.matches(".*[*?\\[{].*")) {
                out.add(path);
                continue;
            }
            java.nio.file.PathMatcher m = java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + name);
            ExecResult r = run(CommandLine.script("cd " + CommandLine.quote(dir)
                    + " 2>/dev/null && for f in * .[!.]*; do [ -f \"$f\" ] && printf '%s\\n' \"$f\"; done; true")
                    .withTimeout(QUICK), null);
            r.stdout().lines().filter(f -> !f.isEmpty() && m.matches(java.nio.file.Path.of(f)))
                    .forEach(f -> out.add((dir.equals("/") ? "" : dir) + "/" + f));
        }
        return out;
    }

    /** {@code cp -p from to}: a copy with the same mode, owner and times. */
    public void copy(String from, String to, String action) throws ResourceException {
        run(CommandLine.of("cp", "-p", from, to).withTimeout(QUICK), action);
    }

    /** Deletes {@code path} and then its directory if that is empty. */
    public void remove(String path) throws ResourceException {
        String dir = path.substring(0, path.lastIndexOf('/'));
        run(CommandLine.script("rm -f " + CommandLine.quote(path) + " && (rmdir " + CommandLine.quote(dir)
                + " 2>/dev/null; true)").withTimeout(QUICK), "remove " + path);
    }

    /** Deletes {@code path} if it carries the imagecache header (a warning otherwise); true if it was deleted. */
    public boolean removeManaged(String path) throws ResourceException {
        Optional<String> content = read(path);
        if (content.isEmpty()) {
            return false;
        }
        if (!HostsToml.isManaged(content.get())) {
            ctx.warn(where + ": " + path + " was not made by imagecache (or lost its header); it was left in place");
            return false;
        }
        remove(path);
        return true;
    }

    /**
     * Writes {@code content} atomically with {@code stat}'s mode made safe ({@link FileStat#safeMode}) and its owner,
     * or {@code defaultMode} and the SSH (or sudo) user when there was no file.
     */
    public void writeLike(String path, String content, Optional<FileStat> stat, int defaultMode) throws ResourceException {
        write(path, content, stat.map(FileStat::safeMode).orElse(defaultMode & 0755));
        if (stat.isPresent()) {
            run(CommandLine.of("chown", stat.get().owner(), "--", path).withTimeout(QUICK), "give " + path
                    + " its owner back");
        }
    }

    /**
     * Runs {@code command} (through {@code sh -c}) under coreutils {@code timeout}, and the SSH command with a
     * slightly longer timeout as a backstop. Empty when it exited 0; else why not, naming the command.
     */
    public Optional<String> restart(String command, Duration timeout) {
        long secs = Math.max(1, timeout.toSeconds());
        CommandLine cmd = CommandLine.script("timeout -k " + KILL_AFTER_SECONDS + " " + secs + " sh -c "
                + CommandLine.quote(command)).withTimeout(Duration.ofSeconds(secs + KILL_AFTER_SECONDS + 20));
        ExecResult r;
        try {
            r = run(cmd, null);
        } catch (ResourceException e) {
            return Optional.of("`" + command + "` did not finish: " + e.getMessage());
        }
        if (r.exitCode() == 124 || r.exitCode() == 137) {
            return Optional.of("`" + command + "` did not finish within " + secs + " s (restartTimeoutSeconds) and was"
                    + " stopped");
        }
        return r.ok() ? Optional.empty() : Optional.of("`" + command + "` failed: " + r.messageOrStdout());
    }

    /**
     * Waits until containerd at {@code socket} lists its CRI plugin(s) as loaded. Empty when it does; else
     * containerd's reason (its own message for a plugin in state {@code error}). With {@code cancellable}, stops when
     * the engine cancels; stops at once when the connection to the node is lost.
     */
    public Optional<String> awaitCri(String socket, Duration timeout, boolean cancellable) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "containerd did not answer at " + socket;
        while (true) {
            if (cancellable && ctx.cancelled()) {
                return Optional.of("cancelled while waiting for containerd's CRI plugin");
            }
            try {
                ExecResult ls = run(ctr(socket, "plugins", "ls"), null);
                if (ls.ok()) {
                    Map<String, String> states = CriPlugins.states(ls.stdout());
                    if (CriPlugins.allLoaded(states)) {
                        return Optional.empty();
                    }
                    Optional<String> failed = CriPlugins.firstFailed(states);
                    if (failed.isPresent()) {
                        return Optional.of(pluginError(socket, failed.get()));
                    }
                    last = "CRI plugin states " + states;
                } else {
                    last = "`ctr --address " + socket + " plugins ls`: " + ls.message();
                }
            } catch (ResourceException e) {
                if (!connected()) {
                    return Optional.of(e.getMessage());
                }
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                return Optional.of("after " + timeout.toSeconds() + " s: " + last);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted while waiting for containerd's CRI plugin");
            }
        }
    }

    /** {@code containerd --config <configFile> config dump}, parsed; empty with the reason logged when it fails. */
    public Optional<ConfigDump> configDump(String configFile, ContainerdVersion version, List<String> whyNot)
            throws ResourceException {
        ExecResult dump = run(CommandLine.script("containerd --config " + CommandLine.quote(configFile)
                + " config dump 2>/dev/null").withTimeout(QUICK), null);
        if (!dump.ok()) {
            whyNot.add("`containerd config dump` failed: " + dump.message());
            return Optional.empty();
        }
        return Optional.of(ConfigDump.parse(dump.stdout(), version));
    }

    /** containerd's own error for a plugin ("type id"). */
    private String pluginError(String socket, String typeAndId) throws ResourceException {
        String type = typeAndId.substring(0, typeAndId.indexOf(' '));
        String id = typeAndId.substring(typeAndId.lastIndexOf(' ') + 1);
        ExecResult d = run(ctr(socket, "plugins", "ls", "-d", "type==" + type + ",id==" + id), null);
        return "plugin " + typeAndId + " failed to load: " + CriPlugins.errorMessage(d.stdout()).orElse("no message");
    }

    private static CommandLine ctr(String socket, String... args) {
        CommandLine c = CommandLine.of("ctr", "--address", socket);
        for (String a : args) {
            c = c.arg(a);
        }
        return c.withTimeout(QUICK);
    }
}
