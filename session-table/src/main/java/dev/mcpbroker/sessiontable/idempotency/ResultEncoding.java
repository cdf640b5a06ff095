package dev.mcpbroker.sessiontable.idempotency;

import dev.mcpbroker.core.error.StoreUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How a result is laid out so that it always fits: a DynamoDB item holds at most 400 KB, results have no
 * such bound, and a result is never dropped. Text up to the limit is stored as is; beyond it gzipped;
 * beyond that the gzipped bytes are split over chunk items.
 */
sealed interface ResultEncoding {

    /*
     * 300 KB leaves 100 KB of the item for its key and other attributes (the agent's key alone is at most
     * 255 characters), so an inline result or a chunk can never be the reason a write is refused.
     */
    int DEFAULT_LIMIT_BYTES = 300 * 1024;

    record Text(String text) implements ResultEncoding {
    }

    record Gzip(byte[] bytes) implements ResultEncoding {
    }

    record Chunked(List<byte[]> chunks, String digest) implements ResultEncoding {
    }

    static ResultEncoding of(String result, int limitBytes) {
        byte[] utf8 = result.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= limitBytes) {
            return new Text(result);
        }
        byte[] gzip = gzip(utf8);
        if (gzip.length <= limitBytes) {
            return new Gzip(gzip);
        }
        List<byte[]> chunks = new ArrayList<>();
        for (int from = 0; from < gzip.length; from += limitBytes) {
            chunks.add(Arrays.copyOfRange(gzip, from, Math.min(gzip.length, from + limitBytes)));
        }
        return new Chunked(chunks, sha256(gzip));
    }

    static String gunzip(byte[] gzip) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreUnavailableException("idempotency result is not valid gzip", null);
        }
    }

    /** Joins chunks and checks them against the digest the completing write recorded. */
    static String join(List<byte[]> chunks, String digest) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        chunks.forEach(joined::writeBytes);
        byte[] gzip = joined.toByteArray();
        if (!sha256(gzip).equals(digest)) {
            // Missing or foreign chunks: replaying a corrupt result would be worse than failing.
            throw new StoreUnavailableException("idempotency result chunks do not match their digest", null);
        }
        return gunzip(gzip);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
