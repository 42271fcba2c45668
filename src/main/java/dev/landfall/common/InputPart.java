package dev.landfall.common;

/**
 * A split part of one input (a month of a file): when it cannot be handled, its whole input is the dead letter, so that
 * no part of that input is lost with it.
 */
public interface InputPart {

    /** The whole input this is a part of, as it arrived (what a replay takes back). */
    Object input();
}
