package dev.sfu.signaling;

import java.net.URI;
import java.util.List;

/**
 * Which web pages may open {@code /ws}. By default this server's own origin and pages on localhost or
 * 127.0.0.1 (any port, http or https): a page elsewhere cannot make a visitor's browser join a conference
 * on their behalf. A request without Origin is not from a browser page and is allowed (native clients,
 * the load harness); {@code *} allows every origin.
 */
final class OriginPolicy {
    private final List<String> allowed;
    private final boolean any;

    /** @param allowed the configured list; empty = the default described above */
    OriginPolicy(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
        this.any = allowed.contains("*");
    }

    /**
     * @param origin the request's Origin header, or null
     * @param host the request's Host header, or null
     * @param tls whether this server serves https
     */
    boolean allows(String origin, String host, boolean tls) {
        if (origin == null || any) {
            return true;
        }
        if (!allowed.isEmpty()) {
            return allowed.contains(origin);
        }
        if (host != null && origin.equalsIgnoreCase((tls ? "https://" : "http://") + host)) {
            return true;
        }
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            String h = uri.getHost();
            return ("http".equals(scheme) || "https".equals(scheme)) && uri.getPath() != null && uri.getPath().isEmpty()
                    && ("localhost".equalsIgnoreCase(h) || "127.0.0.1".equals(h) || "[::1]".equals(h));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }
}
