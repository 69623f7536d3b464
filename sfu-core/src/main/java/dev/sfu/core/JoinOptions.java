package dev.sfu.core;

/**
 * What the server knows of a joining participant beyond its display name: its identity and the grants of
 * its join token (docs/tokens.md). The core enforces what lives in the media path ({@code hidden},
 * {@code canSubscribe}, {@code canPublishData}); the signaling layer refuses offers and mutes.
 *
 * @param identity who the participant is (a token's {@code sub}), or null without authentication
 * @param hidden not announced to the others: no {@code participantJoined}/{@code participantLeft}, not in
 *     their {@code participants}; it publishes nothing, so nothing of it is seen
 * @param canSubscribe whether it receives the others' tracks
 * @param canPublishData whether its data-channel messages are relayed (they are dropped and counted if not)
 * @param metadata opaque application text from the token, shown by the admin API and in webhooks
 */
public record JoinOptions(String identity, boolean hidden, boolean canSubscribe, boolean canPublishData,
        String metadata) {

    /** A participant of a server without authentication: everything allowed, announced. */
    public static final JoinOptions DEFAULT = new JoinOptions(null, false, true, true, null);
}
