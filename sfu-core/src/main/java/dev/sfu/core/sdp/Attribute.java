package dev.sfu.core.sdp;

/**
 * One {@code a=} line: {@code a=name} (a property attribute, value null) or {@code a=name:value}.
 */
public record Attribute(String name, String value) {

    static Attribute parse(String text) {
        int colon = text.indexOf(':');
        return colon < 0 ? new Attribute(text, null) : new Attribute(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return value == null ? name : name + ':' + value;
    }
}
