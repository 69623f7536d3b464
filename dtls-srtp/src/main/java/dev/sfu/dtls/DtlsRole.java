package dev.sfu.dtls;

/**
 * Which side of the DTLS handshake we take, from the SDP {@code a=setup} attributes (RFC 5763 §5,
 * RFC 8842 §5): {@code active} starts the handshake (DTLS client), {@code passive} waits for it (server).
 */
public enum DtlsRole {
    CLIENT,
    SERVER;

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
