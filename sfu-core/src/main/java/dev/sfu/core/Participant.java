package dev.sfu.core;

/** Another endpoint of the same conference, as announced to clients. */
public record Participant(String endpointId, String displayName) {
}
