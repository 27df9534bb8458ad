package io.imagecache.maintenance;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a proxy's cron file for /etc/cron.d and reads one back. Pure.
 *
 * <p>Garbage collection stops the proxy, runs {@code registry garbage-collect} in a throw-away
 * container of the proxy's own image with the proxy's volumes (data and config), then starts the
 * proxy again (a proxy that has cached nothing yet has nothing to collect: distribution reports a
 * missing path, which counts as success). The restart job first asks the upstream for {@code GET /v2/} and restarts only if it
 * answers (2xx or 401), because a distribution proxy whose upstream is down panics at start. Both
 * jobs share a lock so they never overlap. Cron treats {@code %} as a newline, so every {@code %} in a
 * command is written as {@code \%}.
 */
public final class MaintenanceCron {
    private MaintenanceCron() {}

    public static final String HEADER = "# Managed by imagecache. Do not edit.";
    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static String render(MaintenancePlan p) {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n');
        sb.append("# Maintenance of the registry proxy container ").append(p.containerName())
                .append(" (upstream ").append(p.upstreamUrl()).append(").\n");
        sb.append("# imagecache:container=").append(p.containerName()).append('\n');
        sb.append("SHELL=/bin/sh\n").append(PATH).append("\n\n");
        sb.append("# Garbage collection with the proxy stopped; ");
        sb.append(p.gcDeleteUntagged()
                ? "untagged manifests are deleted too (--delete-untagged).\n"
                : "untagged manifests are kept (digest-pinned images have no tag).\n");
        sb.append(p.gcSchedule().strip()).append(" root ").append(gcCommand(p)).append('\n');
        if (!p.restartSchedule().isBlank()) {
            sb.append("# Restart, skipped while the upstream does not answer GET /v2/ (the proxy would not start).\n");
            sb.append(p.restartSchedule().strip()).append(" root ").append(restartCommand(p)).append('\n');
        }
        return sb.toString();
    }

    /** The garbage-collection command as cron runs it (with {@code \%} escapes). */
    static String gcCommand(MaintenancePlan p) {
        String c = p.containerName();
        String script = "c=" + c + "; echo \"$(date -u +\\%FT\\%TZ) gc: start\";"
                + " img=$(docker inspect -f \"{{.Config.Image}}\" $c) || exit 1;"
                + " cfg=$(docker inspect -f \"{{range .Config.Cmd}}{{println .}}{{end}}\" $c | grep -E \"[.]ya?ml$\" | tail -n 1);"
                + " docker stop -t 30 $c >/dev/null || exit 1;"
                + " out=$(docker run --rm --volumes-from $c --entrypoint registry $img garbage-collect"
                + (p.gcDeleteUntagged() ? " --delete-untagged" : "")
                + " ${cfg:-/etc/docker/registry/config.yml} 2>&1); rc=$?; echo \"$out\";"
                + " case \"$out\" in *\"Path not found: /docker/registry/v2/repositories\"*) echo \"gc: nothing cached yet\"; rc=0;; esac;"
                + " docker start $c >/dev/null || rc=1;"
                + " echo \"$(date -u +\\%FT\\%TZ) gc: done (exit $rc)\"; exit $rc";
        return "flock -w 7200 " + p.lockFile() + " sh -c '" + script + "' >>" + p.logFile() + " 2>&1";
    }

    /** The restart command as cron runs it (with {@code \%} escapes). */
    static String restartCommand(MaintenancePlan p) {
        // the URL in double quotes (Check admits no $ ` \\ " in it) so that an IPv6 literal's [ ] is no glob for sh, and
        // curl -g so that it is none for curl either
        String script = "code=$(curl -g -s -o /dev/null -m 10 -w \"\\%{http_code}\" \"" + p.probeUrl() + "\");"
                + " case \"$code\" in 2??|401) docker restart -t 30 " + p.containerName()
                + " >/dev/null && echo \"$(date -u +\\%FT\\%TZ) restart: done\";;"
                + " *) echo \"$(date -u +\\%FT\\%TZ) restart: skipped, upstream " + p.probeUrl() + " answered $code\";; esac";
        return "flock -n " + p.lockFile() + " sh -c '" + script + "' >>" + p.logFile() + " 2>&1";
    }

    /**
     * The command cron would hand to {@code /bin/sh -c} for a cron line's command part: an unescaped
     * {@code %} ends the command (the rest is stdin) and {@code \%} becomes {@code %}.
     */
    public static String asCronRunsIt(String command) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < command.length(); i++) {
            char ch = command.charAt(i);
            if (ch == '\\' && i + 1 < command.length() && command.charAt(i + 1) == '%') {
                sb.append('%');
                i++;
            } else if (ch == '%') {
                break;
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static final Pattern CONTAINER = Pattern.compile("(?m)^# imagecache:container=(\\S+)$");
    private static final Pattern GC_LINE = Pattern.compile("(?m)^(\\S+(?:\\s+\\S+){4}|@\\w+)\\s+root\\s+(.*garbage-collect.*)$");
    private static final Pattern RESTART_LINE = Pattern.compile("(?m)^(\\S+(?:\\s+\\S+){4}|@\\w+)\\s+root\\s+(.*docker restart.*)$");
    /** The probe's URL, double-quoted since the URL may be an IPv6 literal, bare in the files of earlier versions. */
    private static final Pattern PROBE = Pattern.compile("-w \"\\\\%\\{http_code}\" \"?([^\\s\"]+)/v2/\"?\\);");

    /** The container a file written by {@link #render} is for (its {@code # imagecache:container=} line). */
    public static Optional<String> containerOf(String content) {
        if (content == null || !content.startsWith(HEADER)) {
            return Optional.empty();
        }
        Matcher cm = CONTAINER.matcher(content);
        return cm.find() ? Optional.of(cm.group(1)) : Optional.empty();
    }

    /**
     * Reads a cron file written by {@link #render} back into the plan it carries (schedules as they
     * are in the file now, even if edited by hand). Empty if the file is not ours or not readable.
     */
    public static Optional<MaintenancePlan> parse(String content) {
        if (content == null || !content.startsWith(HEADER)) {
            return Optional.empty();
        }
        Matcher cm = CONTAINER.matcher(content);
        Matcher gm = GC_LINE.matcher(content);
        if (!cm.find() || !gm.find()) {
            return Optional.empty();
        }
        String container = cm.group(1);
        String gc = gm.group(1).replaceAll("\\s+", " ");
        boolean untagged = gm.group(2).contains("--delete-untagged");
        String restart = "";
        String upstream = null;
        Matcher rm = RESTART_LINE.matcher(content);
        if (rm.find()) {
            restart = rm.group(1).replaceAll("\\s+", " ");
            Matcher pm = PROBE.matcher(rm.group(2));
            if (pm.find()) {
                upstream = pm.group(1);
            }
        }
        if (upstream == null) {
            Matcher um = Pattern.compile("\\(upstream (\\S+)\\)\\.").matcher(content);
            upstream = um.find() ? um.group(1) : "";
        }
        return Optional.of(new MaintenancePlan(container, upstream, gc, untagged, restart));
    }
}
