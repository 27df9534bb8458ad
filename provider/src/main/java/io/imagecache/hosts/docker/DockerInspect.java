package io.imagecache.hosts.docker;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Parses {@code docker inspect --format '{{json .}}'} output (one JSON object per line). Pure. */
public final class DockerInspect {
    private DockerInspect() {}

    /**
     * Whether {@code docker inspect}'s complaints ({@code stderr}) are only about containers that went away between
     * {@code docker ps} and the inspect (another step's {@code docker run --rm} ending), so that what it printed for the
     * others is the whole list.
     */
    public static boolean onlyVanished(String stderr) {
        List<String> lines = stderr.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return !lines.isEmpty() && lines.stream().allMatch(l -> l.matches("(?i)error( response from daemon)?:? no such (container|object): \\S+"));
    }

    /** Every container in the output, one JSON object per non-empty line. */
    public static List<ContainerInfo> parseLines(String output) {
        List<ContainerInfo> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                out.add(parse(line));
            }
        }
        return out;
    }

    /** One container's JSON object. */
    public static ContainerInfo parse(String json) {
        JsonObject o;
        try {
            o = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("docker inspect printed something that is not a JSON object", e);
        }
        JsonObject config = object(o, "Config");
        JsonObject state = object(o, "State");
        JsonObject hostConfig = object(o, "HostConfig");
        Map<String, String> labels = new TreeMap<>();
        JsonObject l = object(config, "Labels");
        l.entrySet().forEach(e -> labels.put(e.getKey(), e.getValue().isJsonNull() ? "" : e.getValue().getAsString()));
        Map<String, String> mounts = new TreeMap<>();
        for (JsonElement m : array(o, "Mounts")) {
            JsonObject mo = m.getAsJsonObject();
            mounts.put(string(mo, "Destination"), string(mo, "Source"));
        }
        List<ContainerInfo.PortBinding> ports = new ArrayList<>();
        object(hostConfig, "PortBindings").entrySet().forEach(e -> {
            if (e.getValue().isJsonArray()) {
                for (JsonElement b : e.getValue().getAsJsonArray()) {
                    JsonObject bo = b.getAsJsonObject();
                    String hostPort = string(bo, "HostPort");
                    ports.add(new ContainerInfo.PortBinding(e.getKey(), string(bo, "HostIp"),
                            hostPort.isEmpty() ? 0 : Integer.parseInt(hostPort)));
                }
            }
        });
        String name = string(o, "Name");
        return new ContainerInfo(name.startsWith("/") ? name.substring(1) : name, string(config, "Image"),
                state.has("Running") && state.get("Running").getAsBoolean(), string(state, "Status"),
                o.has("RestartCount") ? o.get("RestartCount").getAsInt() : 0, labels, mounts, ports,
                strings(config, "Entrypoint"), strings(config, "Cmd"), string(o, "Image"));
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
    }

    private static JsonArray array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonArray() ? e.getAsJsonArray() : new JsonArray();
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    private static List<String> strings(JsonObject o, String key) {
        JsonElement e = o.get(key);
        List<String> out = new ArrayList<>();
        if (e != null && e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> out.add(x.getAsString()));
        } else if (e != null && e.isJsonPrimitive()) {
            out.add(e.getAsString());
        }
        return out;
    }
}
