package dev.sfu.dtls;

/**
 * Which side of the DTLS handshake we take, from the SDP {@code a=setup} attributes (RFC 5763 §5,
 * RFC 8842 §5): {@code active} starts the handshake (DTLS client), {@code passive} waits for it (server).
 */
public enum DtlsRole {
    CLIENT,
    SERVER;

    /**
     * Our role from the peer's {@code a=setup} alone (RFC 5763 §5, RFC 8842 §5.2): remote {@code active}
     * makes us the server; remote {@code passive} makes us the client; remote {@code actpass} is an offer
     * that leaves the choice to us, and we answer {@code active} (client) because the answerer that
     * starts the handshake saves a round trip and is what browsers expect of a media server's answer.
     *
     * @throws IllegalArgumentException for a missing or unknown value ({@code holdconn} included)
     */
    public static DtlsRole fromRemoteSetup(String setup) {
        String s = setup == null ? "" : setup.trim();
        return switch (s) {
            case "active" -> SERVER;
            case "passive", "actpass" -> CLIENT;
            default -> throw new IllegalArgumentException("a=setup:" + s + " does not choose a DTLS role");
        };
    }

    /** The {@code a=setup} value we write in an answer for this role: {@code active} or {@code passive}. */
    public String setupValue() {
        return this == CLIENT ? "active" : "passive";
    }

    /**
     * Our role from what we wrote and what the peer wrote. An offerer writes {@code actpass}; the
     * answerer picks {@code active} or {@code passive}, and that choice decides both roles.
     *
     * @throws IllegalArgumentException when the two do not make a handshake (both active, both passive)
     */
    public static DtlsRole of(String localSetup, String remoteSetup) {
        if ("active".equals(localSetup) && !"active".equals(remoteSetup)) {
            return CLIENT;
        }
        if ("passive".equals(localSetup) && !"passive".equals(remoteSetup)) {
            return SERVER;
        }
        if ("actpass".equals(localSetup)) {
            if ("active".equals(remoteSetup)) {
                return SERVER;
            }
            if ("passive".equals(remoteSetup)) {
                return CLIENT;
            }
        }
        throw new IllegalArgumentException("a=setup:" + localSetup + " and a=setup:" + remoteSetup
                + " do not agree on a DTLS role");
    }
}
