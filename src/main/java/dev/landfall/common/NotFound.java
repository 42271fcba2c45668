package dev.landfall.common;

/** Whatever an HTTP request asked for does not exist: answered 404 {@code {"message": ...}} by {@link HttpErrorAnswer}. */
public final class NotFound extends RuntimeException {

    public NotFound(String message) {
        super(message, null, false, false);
    }
}
