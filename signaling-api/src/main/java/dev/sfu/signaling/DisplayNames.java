package dev.sfu.signaling;

/**
 * A display name travels from one client into every other client's messages and into the logs: it is
 * limited to 64 characters and loses control and format characters (newlines that would forge log lines,
 * bidirectional overrides that would make a name read as another).
 */
final class DisplayNames {
    static final int MAX_LENGTH = 64;

    private DisplayNames() {
    }

    /** The name without control or format characters, trimmed. */
    static String clean(String name) {
        StringBuilder b = new StringBuilder(name.length());
        name.codePoints().filter(c -> !unsafe(c)).forEach(b::appendCodePoint);
        return b.toString().trim();
    }

    /** For a log line: quoted, with anything unprintable escaped as \\uXXXX. */
    static String forLog(String name) {
        StringBuilder b = new StringBuilder(name.length() + 2).append('"');
        name.codePoints().forEach(c -> {
            if (unsafe(c) || c == '"' || c == '\\') {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append('"').toString();
    }

    private static boolean unsafe(int c) {
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }
}
