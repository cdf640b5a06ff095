package dev.mcpbroker.auditverifier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads the audit account's archive: every object under a prefix of the bucket, in key order (Firehose names them
 * by delivery time), as Firehose writes them: GZIP'd (or plain) batches of records, each record one canonical JSON
 * event followed by a newline ({@code AppendDelimiterToRecord}); objects written before the delimiter was configured
 * hold the events back to back, which reads the same way. Each event is handed on as the exact bytes archived, so
 * the verifier hashes what is stored.
 */
final class S3ArchiveReader {

    /** One archived event: where it is ({@code s3://bucket/key#n}) and its bytes. */
    record ArchiveRecord(String location, byte[] data) {
    }

    /** What could not be read as a JSON object, and where. */
    interface UndecodableSink {
        void accept(String location, String reason);
    }

    /** @param objects objects read; @param records events found in them */
    record Result(int objects, long records) {
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final S3Client s3;

    S3ArchiveReader(S3Client s3) {
        this.s3 = Objects.requireNonNull(s3);
    }

    Result read(String bucket, String prefix, java.util.function.Consumer<ArchiveRecord> sink, UndecodableSink undecodable) {
        int objects = 0;
        long records = 0;
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            objects++;
            String where = "s3://" + bucket + "/" + object.key();
            byte[] content = decompressed(s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray());
            if (content == null) {
                undecodable.accept(where, "not valid GZIP");
                continue;
            }
            records += split(where, content, sink, undecodable);
        }
        return new Result(objects, records);
    }

    /** The JSON objects of one archive object, one after the other, whitespace or nothing between them. */
    static long split(String where, byte[] content, java.util.function.Consumer<ArchiveRecord> sink, UndecodableSink undecodable) {
        long count = 0;
        try (JsonParser parser = JSON.createParser(content)) {
            while (true) {
                JsonToken token;
                try {
                    token = parser.nextToken();
                    if (token == null) {
                        return count;
                    }
                    count++;
                    if (token != JsonToken.START_OBJECT) {
                        undecodable.accept(where + "#" + count, "not a JSON object");
                        parser.skipChildren();
                        continue;
                    }
                    int start = (int) parser.currentTokenLocation().getByteOffset();
                    parser.skipChildren();
                    int end = (int) parser.currentLocation().getByteOffset();
                    sink.accept(new ArchiveRecord(where + "#" + count, Arrays.copyOfRange(content, start, end)));
                } catch (IOException e) {
                    // The rest of this object cannot be split reliably; the objects after it are read on.
                    String reason = e instanceof com.fasterxml.jackson.core.JsonProcessingException json
                            ? json.getOriginalMessage() : e.getMessage();
                    undecodable.accept(where + "#" + count, "not JSON from here on: " + reason);
                    return count;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The object's content, unzipped when it is GZIP (Firehose's CompressionFormat); null when it is broken GZIP. */
    private static byte[] decompressed(byte[] body) {
        if (body.length < 2 || (body[0] & 0xff) != 0x1f || (body[1] & 0xff) != 0x8b) {
            return body;
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }
}
