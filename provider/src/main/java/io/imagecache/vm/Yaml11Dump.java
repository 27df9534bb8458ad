package io.imagecache.vm;

import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.RepresentToNode;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;

/**
 * YAML for readers of YAML 1.1 (cloud-init reads with PyYAML). snakeyaml-engine writes YAML 1.2, where
 * {@code 0755}, {@code yes}, {@code on} or {@code 1:30} are plain strings; a YAML 1.1 reader takes them
 * for an octal number, booleans and a sexagesimal number (seen: cloud-init read `install -d -m 0755` as
 * mode 493 and refused the runcmd). Every string a 1.1 reader would not read back as that string is
 * written double-quoted; everything else is left to the library.
 */
final class Yaml11Dump {
    private static final Pattern NOT_A_STRING_IN_1_1 = Pattern.compile(
            "(?i)(y|n|yes|no|true|false|on|off|null|~|=|<<)?"           // booleans, null, value, merge (and "")
            + "|[-+]?[0-9._][0-9a-fA-FxXoObB_:.eE+-]*"                 // ints in every base, floats, sexagesimals
            + "|[-+]?\\.(inf|nan)"
            + "|\\d{4}-\\d{1,2}-\\d{1,2}.*");                          // timestamps

    private Yaml11Dump() {}

    static String dump(Object doc) {
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(2)
                .setIndicatorIndent(2).setIndentWithIndicator(true).setWidth(1000).build();
        return new Dump(settings, new Representer(settings)).dumpToString(doc);
    }

    static boolean needsQuotes(String s) {
        return NOT_A_STRING_IN_1_1.matcher(s).matches();
    }

    private static final class Representer extends StandardRepresenter {
        Representer(DumpSettings settings) {
            super(settings);
            RepresentToNode plain = representers.get(String.class);
            representers.put(String.class, data -> needsQuotes((String) data)
                    ? representScalar(Tag.STR, (String) data, ScalarStyle.DOUBLE_QUOTED)
                    : plain.representData(data));
        }
    }
}
