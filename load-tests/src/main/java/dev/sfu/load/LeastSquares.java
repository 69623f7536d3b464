package dev.sfu.load;

/**
 * Ordinary least squares with an intercept: y = b0 + b1·x1 + ... + bk·xk over n observations, solved
 * through the normal equations (XᵀX)b = Xᵀy by Gaussian elimination with partial pivoting. A handful
 * of ramp steps and two or three unknowns: no library needed, and the conditioning is checked.
 */
final class LeastSquares {
    private LeastSquares() {
    }

    /**
     * @param x one row per observation, one column per variable (without the intercept's column of ones)
     * @param y the observations
     * @return the coefficients, intercept first; null when they are not determined (fewer observations
     *     than unknowns, or variables that move together, as endpoints and packets do in a pure fan-out)
     */
    static double[] fit(double[][] x, double[] y) {
        int n = y.length;
        int k = n == 0 ? 0 : x[0].length + 1;
        if (n < k || k == 0) {
            return null;
        }
        double[][] a = new double[k][k + 1]; // XᵀX augmented with Xᵀy
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < k; r++) {
                double xr = r == 0 ? 1 : x[i][r - 1];
                for (int c = 0; c < k; c++) {
                    a[r][c] += xr * (c == 0 ? 1 : x[i][c - 1]);
                }
                a[r][k] += xr * y[i];
            }
        }
        double[] scale = new double[k]; // each column's size, so that the singularity test is unit-free
        for (int r = 0; r < k; r++) {
            scale[r] = Math.sqrt(Math.abs(a[r][r]));
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            double size = scale[col] * scale[col];
            if (size == 0 || Math.abs(a[col][col]) < 1e-9 * size) {
                return null;
            }
            for (int r = 0; r < k; r++) {
                if (r != col) {
                    double f = a[r][col] / a[col][col];
                    for (int c = col; c <= k; c++) {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        double[] b = new double[k];
        for (int r = 0; r < k; r++) {
            b[r] = a[r][k] / a[r][r];
        }
        return b;
    }

    /** The share of y's variance the fit explains (1 = every point on it). */
    static double rSquared(double[][] x, double[] y, double[] b) {
        double mean = 0;
        for (double v : y) {
            mean += v / y.length;
        }
        double residual = 0;
        double total = 0;
        for (int i = 0; i < y.length; i++) {
            double predicted = b[0];
            for (int j = 1; j < b.length; j++) {
                predicted += b[j] * x[i][j - 1];
            }
            residual += (y[i] - predicted) * (y[i] - predicted);
            total += (y[i] - mean) * (y[i] - mean);
        }
        return total == 0 ? 1 : 1 - residual / total;
    }
}
