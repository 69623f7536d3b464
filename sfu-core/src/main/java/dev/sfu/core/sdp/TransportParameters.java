package dev.sfu.core.sdp;

import java.util.List;

/**
 * What one side of a transport puts in its SDP about ICE and DTLS (RFC 8839, RFC 8842).
 *
 * @param candidates a=candidate values ("candidate:..." prefix not included, as in SDP)
 * @param setup actpass, active or passive
 */
public record TransportParameters(String iceUfrag, String icePwd, String fingerprintAlgorithm, String fingerprint,
        DtlsSetup setup, List<String> candidates) {

    public TransportParameters {
        candidates = List.copyOf(candidates);
    }

    /** Reads the remote side's parameters from the first non-rejected media section of an SDP. */
    public static TransportParameters of(SessionDescription sdp) throws SdpException {
        MediaDescription m = sdp.media().stream().filter(x -> !x.isRejected()).findFirst()
                .orElseThrow(() -> new SdpException("SDP has no active media section"));
        String ufrag = sdp.attribute(m, "ice-ufrag").orElseThrow(() -> new SdpException("SDP lacks a=ice-ufrag"));
        String pwd = sdp.attribute(m, "ice-pwd").orElseThrow(() -> new SdpException("SDP lacks a=ice-pwd"));
        String fp = sdp.attribute(m, "fingerprint").orElseThrow(() -> new SdpException("SDP lacks a=fingerprint"));
        int space = fp.indexOf(' ');
        if (space <= 0 || ufrag.isBlank() || pwd.isBlank()) {
            throw new SdpException("malformed ICE credentials or fingerprint");
        }
        String setupValue = sdp.attribute(m, "setup").orElse("actpass");
        DtlsSetup setup = DtlsSetup.ofWireName(setupValue);
        if (setup == null) {
            throw new SdpException("unsupported a=setup:" + setupValue);
        }
        return new TransportParameters(ufrag.trim(), pwd.trim(), fp.substring(0, space).trim().toLowerCase(java.util.Locale.ROOT),
                fp.substring(space + 1).trim(), setup, m.attributes("candidate"));
    }

    /** Writes ICE and DTLS attributes into a media section. */
    public void writeTo(MediaDescription m, boolean withCandidates) {
        m.add("ice-ufrag", iceUfrag).add("ice-pwd", icePwd).add("ice-options", "trickle")
                .add("fingerprint", fingerprintAlgorithm + " " + fingerprint).add("setup", setup.wireName());
        if (withCandidates) {
            for (String c : candidates) {
                m.add("candidate", c.startsWith("candidate:") ? c.substring("candidate:".length()) : c);
            }
            m.add("end-of-candidates");
        }
    }
}
