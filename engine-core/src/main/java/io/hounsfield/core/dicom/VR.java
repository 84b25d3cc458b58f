package io.hounsfield.core.dicom;

/** DICOM value representations (PS3.5 §6.2). */
public enum VR {
    AE, AS, AT, CS, DA, DS, DT, FL, FD, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI,
    UL, UN, UR, US, UT, UV;

    /** True for VRs whose explicit encoding has 2 reserved bytes and a 32-bit length (PS3.5 §7.1.2). */
    public boolean hasLongLength() {
        return switch (this) {
            case OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV -> true;
            default -> false;
        };
    }

    /** The VR named by two ASCII bytes, or null if they name none. */
    public static VR of(int b0, int b1) {
        if (b0 < 'A' || b0 > 'Z' || b1 < 'A' || b1 > 'Z') {
            return null;
        }
        String s = String.valueOf(new char[] {(char) b0, (char) b1});
        for (VR v : values()) {
            if (v.name().equals(s)) {
                return v;
            }
        }
        return null;
    }
}
