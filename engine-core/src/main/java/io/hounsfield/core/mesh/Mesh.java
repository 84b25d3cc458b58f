package io.hounsfield.core.mesh;

/**
 * A closed, consistently oriented triangle mesh in world coordinates (LPS, mm).
 *
 * @param vertices  x, y, z of each vertex
 * @param triangles three vertex indices per triangle, counter-clockwise seen from outside
 */
public record Mesh(double[] vertices, int[] triangles) {

    public int vertexCount() {
        return vertices.length / 3;
    }

    public int triangleCount() {
        return triangles.length / 3;
    }

    /** Total triangle area, mm². */
    public double area() {
        double a = 0;
        for (int t = 0; t < triangles.length; t += 3) {
            double[] n = cross(t);
            a += Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) / 2;
        }
        return a;
    }

    /** Enclosed volume, mm³, by the divergence theorem (sum of signed tetrahedra from the origin). */
    public double volume() {
        double v = 0;
        for (int t = 0; t < triangles.length; t += 3) {
            int a = 3 * triangles[t], b = 3 * triangles[t + 1], c = 3 * triangles[t + 2];
            double ax = vertices[a], ay = vertices[a + 1], az = vertices[a + 2];
            double bx = vertices[b], by = vertices[b + 1], bz = vertices[b + 2];
            double cx = vertices[c], cy = vertices[c + 1], cz = vertices[c + 2];
            v += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
        }
        return v / 6;
    }

    private double[] cross(int t) {
        int a = 3 * triangles[t], b = 3 * triangles[t + 1], c = 3 * triangles[t + 2];
        double ux = vertices[b] - vertices[a], uy = vertices[b + 1] - vertices[a + 1], uz = vertices[b + 2] - vertices[a + 2];
        double vx = vertices[c] - vertices[a], vy = vertices[c + 1] - vertices[a + 1], vz = vertices[c + 2] - vertices[a + 2];
        return new double[] {uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx};
    }
}
