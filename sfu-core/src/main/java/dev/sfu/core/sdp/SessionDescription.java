package dev.sfu.core.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed SDP (RFC 8866): session-level lines and attributes, then media sections. Parsing is tolerant
 * of what browsers send (LF or CRLF line ends, unknown attributes) and strict about structure.
 */
public final class SessionDescription {
    /** Upper bounds that keep a hostile SDP from costing much memory or time. */
    static final int MAX_LENGTH = 64 * 1024;
    static final int MAX_MEDIA = 256;

    private final List<String> sessionLines = new ArrayList<>(); // v=, o=, s=, t=, c=, b=... without a=
    private final List<Attribute> attributes = new ArrayList<>();
    private final List<MediaDescription> media = new ArrayList<>();

    public List<String> sessionLines() {
        return sessionLines;
    }

    public List<Attribute> attributes() {
        return attributes;
    }

    public List<MediaDescription> media() {
        return media;
    }

    public SessionDescription add(String name, String value) {
        attributes.add(new Attribute(name, value));
        return this;
    }

    public Optional<String> attribute(String name) {
        for (Attribute a : attributes) {
            if (a.name().equals(name)) {
                return Optional.ofNullable(a.value() == null ? "" : a.value());
            }
        }
        return Optional.empty();
    }

    /**
     * The value of an attribute that may sit in a media section or at session level (ice-ufrag,
     * ice-pwd, fingerprint, setup): the media section's wins.
     */
    public Optional<String> attribute(MediaDescription m, String name) {
        Optional<String> own = m.attribute(name);
        return own.isPresent() ? own : attribute(name);
    }

    /** A new description with the session lines WebRTC endpoints write (RFC 8829 §5.2.1). */
    public static SessionDescription create() {
        SessionDescription s = new SessionDescription();
        s.sessionLines().add("v=0");
        s.sessionLines().add("o=- " + (System.nanoTime() & 0x7fffffffffffL) + " 2 IN IP4 127.0.0.1");
        s.sessionLines().add("s=-");
        s.sessionLines().add("t=0 0");
        return s;
    }

    /** Parses an SDP text. */
    public static SessionDescription parse(String text) throws SdpException {
        if (text == null || text.isBlank()) {
            throw new SdpException("empty SDP");
        }
        if (text.length() > MAX_LENGTH) {
            throw new SdpException("SDP longer than " + MAX_LENGTH + " characters");
        }
        SessionDescription sdp = new SessionDescription();
        MediaDescription current = null;
        boolean first = true;
        for (String raw : text.split("\r?\n")) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw new SdpException("malformed SDP line: " + abbreviate(line));
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (first) {
                if (type != 'v' || !value.equals("0")) {
                    throw new SdpException("SDP must start with v=0");
                }
                first = false;
            }
            switch (type) {
                case 'm' -> {
                    if (sdp.media.size() >= MAX_MEDIA) {
                        throw new SdpException("more than " + MAX_MEDIA + " media sections");
                    }
                    current = parseMediaLine(value);
                    sdp.media.add(current);
                }
                case 'a' -> {
                    Attribute a = Attribute.parse(value);
                    if (current == null) {
                        sdp.attributes.add(a);
                    } else {
                        current.attributes().add(a);
                    }
                }
                default -> {
                    if (current == null) {
                        sdp.sessionLines.add(line);
                    } else {
                        current.otherLines().add(line);
                    }
                }
            }
        }
        if (first) {
            throw new SdpException("empty SDP");
        }
        return sdp;
    }

    private static MediaDescription parseMediaLine(String value) throws SdpException {
        // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
        String[] parts = value.trim().split(" +");
        if (parts.length < 3) {
            throw new SdpException("malformed m= line: " + abbreviate(value));
        }
        String portText = parts[1];
        int slash = portText.indexOf('/');
        if (slash >= 0) {
            portText = portText.substring(0, slash);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new SdpException("malformed port in m= line: " + abbreviate(value));
        }
        if (port < 0 || port > 65535) {
            throw new SdpException("port out of range in m= line");
        }
        return new MediaDescription(parts[0], port, parts[2], List.of(parts).subList(3, parts.length));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** Writes the SDP with CRLF line ends, as RFC 8866 requires. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(2048);
        for (String line : sessionLines) {
            b.append(line).append("\r\n");
        }
        for (Attribute a : attributes) {
            b.append("a=").append(a).append("\r\n");
        }
        for (MediaDescription m : media) {
            b.append("m=").append(m.media()).append(' ').append(m.port()).append(' ').append(m.proto());
            for (String f : m.formats()) {
                b.append(' ').append(f);
            }
            b.append("\r\n");
            for (String line : m.otherLines()) {
                b.append(line).append("\r\n");
            }
            for (Attribute a : m.attributes()) {
                b.append("a=").append(a).append("\r\n");
            }
        }
        return b.toString();
    }
}
