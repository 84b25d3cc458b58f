package io.hounsfield.core.mesh;

/**
 * A label's marching-cubes surface as IBSI's morphology uses it ({@link SurfaceCounts#measure}).
 *
 * @param area           mm²
 * @param volume         mm³, positive
 * @param hullCandidates world x, y, z of the surface vertices that can be convex-hull vertices (every
 *                       hull vertex is among them, and so is every extreme in any direction)
 */
public record SurfaceMeasures(double area, double volume, double[] hullCandidates) {
}
