package io.imagecache.provider;

/** Prints schema.json (used by {@code make schema}). */
public final class SchemaMain {
    private SchemaMain() {}

    public static void main(String[] args) {
        System.out.print(Plugin.create().schema());
    }
}
