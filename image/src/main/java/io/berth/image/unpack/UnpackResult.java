package io.berth.image.unpack;

/** What an unpack did: layers applied, tar entries read, uncompressed bytes read. */
public record UnpackResult(int layers, long entries, long uncompressedBytes) {}
