package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The elements of one DICOM dataset (or sequence item), by tag, with typed access. Text values are
 * read as ISO 8859-1 with DICOM's padding removed; numbers from binary VRs use the dataset's byte
 * order. A value that cannot be read as asked throws a {@link DicomException} naming the tag.
 */
public final class Dataset {

    private final String source;
    private final ByteOrder order;
    private final Map<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);

    Dataset(String source, ByteOrder order) {
        this.source = source;
        this.order = order;
    }

    void put(Element e) {
        elements.put(e.tag(), e);
    }

    public String source() {
        return source;
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    public Optional<Element> element(int tag) {
        return Optional.ofNullable(elements.get(tag));
    }

    public Map<Integer, Element> elements() {
        return Collections.unmodifiableMap(elements);
    }

    /** The text value with leading/trailing spaces and NULs removed, or empty if absent or empty. */
    public Optional<String> string(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.value() == null) {
            return Optional.empty();
        }
        String s = strip(new String(e.value(), StandardCharsets.ISO_8859_1));
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** The backslash-separated values of a text element (empty array if absent). */
    public String[] strings(int tag) {
        return string(tag).map(s -> {
            String[] parts = s.split("\\\\", -1);
            for (int i = 0; i < parts.length; i++) {
                parts[i] = strip(parts[i]);
            }
            return parts;
        }).orElse(new String[0]);
    }

    /** A required text value. */
    public String requireString(int tag) throws DicomException {
        return string(tag).orElseThrow(() -> missing(tag));
    }

    /** The first integer of a US, SS, UL, SL or IS element, or empty if absent or empty. */
    public OptionalInt integer(int tag) throws DicomException {
        Element e = elements.get(tag);
        if (e == null || e.value() == null || e.value().length == 0) {
            return OptionalInt.empty();
        }
        VR vr = effectiveVr(e);
        ByteBuffer b = ByteBuffer.wrap(e.value()).order(order);
        try {
            return switch (vr) {
                case US -> OptionalInt.of(b.getShort(0) & 0xFFFF);
                case SS -> OptionalInt.of(b.getShort(0));
                case UL -> OptionalInt.of(checkedInt(b.getInt(0) & 0xFFFFFFFFL, tag));
                case SL -> OptionalInt.of(b.getInt(0));
                case IS, DS -> {
                    String[] v = strings(tag);
                    if (v.length == 0 || v[0].isEmpty()) {
                        yield OptionalInt.empty();
                    }
                    double d = Double.parseDouble(v[0]);
                    if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                        throw bad(tag, "'" + v[0] + "' is not an integer");
                    }
                    yield OptionalInt.of((int) d);
                }
                default -> throw bad(tag, "VR " + vr + " is not an integer type");
            };
        } catch (IndexOutOfBoundsException | NumberFormatException ex) {
            throw bad(tag, "value is not a valid " + vr + ": " + ex.getMessage());
        }
    }

    /** A required integer. */
    public int requireInt(int tag) throws DicomException {
        return integer(tag).orElseThrow(() -> missing(tag));
    }

    /** All numbers of a DS, IS, FL or FD element (empty array if absent). */
    public double[] decimals(int tag) throws DicomException {
        Element e = elements.get(tag);
        if (e == null || e.value() == null || e.value().length == 0) {
            return new double[0];
        }
        VR vr = effectiveVr(e);
        ByteBuffer b = ByteBuffer.wrap(e.value()).order(order);
        switch (vr) {
            case FL -> {
                double[] d = new double[e.value().length / 4];
                for (int i = 0; i < d.length; i++) {
                    d[i] = b.getFloat(4 * i);
                }
                return d;
            }
            case FD -> {
                double[] d = new double[e.value().length / 8];
                for (int i = 0; i < d.length; i++) {
                    d[i] = b.getDouble(8 * i);
                }
                return d;
            }
            case DS, IS -> {
                String[] s = strings(tag);
                double[] d = new double[s.length];
                for (int i = 0; i < s.length; i++) {
                    try {
                        d[i] = Double.parseDouble(s[i]);
                    } catch (NumberFormatException ex) {
                        throw bad(tag, "'" + s[i] + "' is not a number");
                    }
                    if (!Double.isFinite(d[i])) {
                        throw bad(tag, "'" + s[i] + "' is not a finite number");
                    }
                }
                return d;
            }
            default -> throw bad(tag, "VR " + vr + " is not a decimal type");
        }
    }

    /** The first number of a decimal element, or empty. */
    public OptionalDouble decimal(int tag) throws DicomException {
        double[] d = decimals(tag);
        return d.length == 0 ? OptionalDouble.empty() : OptionalDouble.of(d[0]);
    }

    /** Exactly {@code n} numbers, or an error naming the tag. */
    public double[] requireDecimals(int tag, int n) throws DicomException {
        double[] d = decimals(tag);
        if (d.length == 0) {
            throw missing(tag);
        }
        if (d.length != n) {
            throw bad(tag, "has " + d.length + " values, expected " + n);
        }
        return d;
    }

    /** The items of a sequence (empty if absent). */
    public List<Dataset> sequence(int tag) {
        Element e = elements.get(tag);
        return e == null || e.items() == null ? List.of() : e.items();
    }

    /** The first item of a sequence, if any. */
    public Optional<Dataset> item(int tag) {
        List<Dataset> s = sequence(tag);
        return s.isEmpty() ? Optional.empty() : Optional.of(s.getFirst());
    }

    DicomException missing(int tag) {
        return new DicomException(Problem.BAD_HEADER, source, tag, "required attribute is missing or empty");
    }

    DicomException bad(int tag, String what) {
        return new DicomException(Problem.BAD_HEADER, source, tag, what);
    }

    private static VR effectiveVr(Element e) {
        return e.vr() == VR.UN ? Dictionary.vr(e.tag()) : e.vr();
    }

    private int checkedInt(long v, int tag) throws DicomException {
        if (v > Integer.MAX_VALUE) {
            throw bad(tag, v + " is too large");
        }
        return (int) v;
    }

    private static String strip(String s) {
        int a = 0, b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == 0)) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == 0)) {
            b--;
        }
        return s.substring(a, b);
    }
}
