package dev.sfu.core.sdp;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A client's answer to a subscribe offer: its transport parameters and which mids it accepted in the
 * codec offered.
 */
public record SubscribeAnswer(TransportParameters remote, Set<String> acceptedMids) {

    /** Reads an answer; every mid must be one that the offer had. */
    public static SubscribeAnswer parse(String text, List<SubscribeSlot> offered) throws SdpException {
        SessionDescription answer = SessionDescription.parse(text);
        TransportParameters remote = TransportParameters.of(answer);
        if (remote.setup() == DtlsSetup.ACTPASS) {
            throw new SdpException("an answer must choose a=setup:active or a=setup:passive");
        }
        Set<String> accepted = new HashSet<>();
        for (MediaDescription m : answer.media()) {
            String mid = m.mid();
            SubscribeSlot slot = offered.stream().filter(s -> s.mid().equals(mid)).findFirst()
                    .orElseThrow(() -> new SdpException("answer has a mid the offer did not: " + mid));
            if (m.isRejected() || slot.track() == null) {
                continue;
            }
            String direction = m.direction();
            boolean receives = direction.equals("recvonly") || direction.equals("sendrecv");
            String pt = Integer.toString(slot.track().format().codec().payloadType());
            if (receives && m.formats().contains(pt)) {
                accepted.add(mid);
            }
        }
        if (answer.media().size() != offered.size()) {
            throw new SdpException("answer has " + answer.media().size() + " media sections, the offer " + offered.size());
        }
        return new SubscribeAnswer(remote, accepted);
    }
}
