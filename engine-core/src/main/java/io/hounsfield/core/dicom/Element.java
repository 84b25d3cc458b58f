package io.hounsfield.core.dicom;

import java.util.List;

/**
 * One data element: its tag and VR, and either its value bytes, its sequence items, or (for values
 * too large to keep, such as pixel data) only where the value lies in the dataset stream.
 *
 * @param value  the value bytes, or null for sequences and values kept by position only
 * @param items  the items of a sequence, else null
 * @param offset position of the value in the dataset stream
 * @param length value length in bytes, or -1 for undefined length
 */
public record Element(int tag, VR vr, byte[] value, List<Dataset> items, long offset, long length) {
}
