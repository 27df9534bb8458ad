package io.imagecache.spi;

/**
 * How one property path changed.
 *
 * @param inputDiff true when old and new are both inputs (the display takes the old value from the
 *                  old inputs); false for differences found in outputs (drift, rendered files)
 */
public record PropertyDiff(Kind kind, boolean inputDiff) {
    public enum Kind { ADD, ADD_REPLACE, DELETE, DELETE_REPLACE, UPDATE, UPDATE_REPLACE }

    public boolean replaces() {
        return kind == Kind.ADD_REPLACE || kind == Kind.DELETE_REPLACE || kind == Kind.UPDATE_REPLACE;
    }

    public PropertyDiff asReplace() {
        return switch (kind) {
            case ADD -> new PropertyDiff(Kind.ADD_REPLACE, inputDiff);
            case DELETE -> new PropertyDiff(Kind.DELETE_REPLACE, inputDiff);
            case UPDATE -> new PropertyDiff(Kind.UPDATE_REPLACE, inputDiff);
            default -> this;
        };
    }
}
