package io.berth.registry.http;

import io.berth.registry.ErrorCode;
import io.berth.registry.RegistryException;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * The one place where a {@link RegistryException} becomes HTTP: a status and distribution-spec's error
 * body, {@code {"errors":[{"code":…,"message":…,"detail":…}]}} ("Error Codes").
 */
final class ErrorResponses {
    private ErrorResponses() {}

    static HttpResponseStatus status(RegistryException e) {
        return switch (e.status()) {
            case RANGE_NOT_SATISFIABLE -> HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
            case PAYLOAD_TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            case BAD_REQUEST -> HttpResponseStatus.BAD_REQUEST;
            case DEFAULT -> status(e.code());
        };
    }

    /** The status for each code when the spec asks for nothing more specific (end-1 … end-14). */
    static HttpResponseStatus status(ErrorCode code) {
        return switch (code) {
            case BLOB_UNKNOWN, BLOB_UPLOAD_UNKNOWN, MANIFEST_UNKNOWN, NAME_UNKNOWN -> HttpResponseStatus.NOT_FOUND;
            case BLOB_UPLOAD_INVALID, DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN, MANIFEST_INVALID, NAME_INVALID,
                    SIZE_INVALID -> HttpResponseStatus.BAD_REQUEST;
            case UNAUTHORIZED -> HttpResponseStatus.UNAUTHORIZED;
            case DENIED -> HttpResponseStatus.FORBIDDEN;
            case UNSUPPORTED -> HttpResponseStatus.METHOD_NOT_ALLOWED;
            case TOOMANYREQUESTS -> HttpResponseStatus.TOO_MANY_REQUESTS;
        };
    }

    static byte[] body(RegistryException e) {
        String message = e.getMessage() == null ? e.code().description() : e.getMessage();
        Json err = new ObjBuilder()
                .put("code", e.code().name())
                .put("message", message)
                .put("detail", new ObjBuilder().build())
                .build();
        return JsonCodec.write(new ObjBuilder().put("errors", Json.arr(List.of(err))).build());
    }
}
