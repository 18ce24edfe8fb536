package org.resnetspark.data;

import java.util.Locale;

/** What a reader does with a corrupt record: stop the job, or skip it and count it. */
public enum BadRecordPolicy {
    /** Throw {@link InvalidDataException} naming the file and record. */
    FAIL,
    /** Leave the record out and count it (see {@code TrainingInput.badRecords()}). */
    SKIP;

    /** Parses {@code fail} or {@code skip}; throws naming the accepted values. */
    public static BadRecordPolicy parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "fail" -> FAIL;
            case "skip" -> SKIP;
            default -> throw new IllegalArgumentException("invalid value '" + value + "': expected fail or skip");
        };
    }
}
