package dev.landfall.common;

/**
 * A split part of one input (a month of a file): when it fails it is no dead letter of its own but fails its split, so
 * that the whole input is dead-lettered or tried again, and no part of it is lost.
 */
public interface InputPart {
}
