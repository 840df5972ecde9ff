# Reference bandwidth matrices from R's ks 1.14 for kdeflow's BandwidthSelectors.hpi / hscv.
#
# Run from this folder:  Rscript make_reference.R   (writes reference.json and the *.csv data sets it made)
#
# Every selector is called with ks's defaults except binned = FALSE, so that the kernel functional estimates are the
# exact double sums (ks's default bins for n > 500 in 2-D, which moves H by ~1%). Defaults used: nstage = 2;
# Hpi and Hscv pre = "sphere", Hpi.diag and Hscv.diag pre = "scale"; pilot "samse" for d = 2, "dscalar" otherwise.
# (Hscv's internal one-stage Hpi pilot is binned by ks itself whatever binned says; that moves Hscv by ~7e-5.)
# ks's H is the kernel covariance, kdeflow's H·Hᵀ.
#
# Data: the six homework sets (../numpy-legacy/*_n1500_seed0.csv, scikit-learn's points) and four sets made here
# with R's Mersenne-Twister (set.seed below), written with 17 significant digits and read back.
library(ks)
library(jsonlite)
options(digits = 17)

read_xy <- function(f) as.matrix(read.csv(f, header = FALSE))

make_sets <- function() {
  set.seed(20240601)
  n <- 500
  # heavy-tailed: bivariate t with 3 degrees of freedom and correlation 0.5
  z <- matrix(rnorm(2 * n), ncol = 2) %*% chol(matrix(c(1, 0.5, 0.5, 1), 2))
  heavy <- z / sqrt(rchisq(n, 3) / 3)
  # skewed and bounded: Exp(1) x Beta(2, 5)
  skewed <- cbind(rexp(n), rbeta(n, 2, 5))
  # 3-D: two correlated normals
  m <- 400
  s3 <- matrix(c(1, 0.6, 0.2, 0.6, 1.5, -0.3, 0.2, -0.3, 0.8), 3)
  g3 <- rbind(matrix(rnorm(3 * m / 2), ncol = 3) %*% chol(s3),
              sweep(matrix(rnorm(3 * m / 2), ncol = 3) * 0.5, 2, c(2, -1, 1), "+"))
  # 5-D: a standard normal with one skewed coordinate
  k <- 300
  g5 <- matrix(rnorm(5 * k), ncol = 5)
  g5[, 5] <- exp(0.5 * g5[, 5])
  list(Heavy = heavy, Skewed = skewed, Gauss3 = g3, Gauss5 = g5)
}

own <- make_sets()
for (name in names(own)) {
  write.table(format(own[[name]], digits = 17), file = paste0(name, ".csv"), sep = ",", quote = FALSE,
              row.names = FALSE, col.names = FALSE)
}

sets <- list(
  Moons = "../numpy-legacy/Moons_n1500_seed0.csv",
  Circles = "../numpy-legacy/Circles_n1500_seed0.csv",
  GaussiansGrid = "../numpy-legacy/GaussiansGrid_n1500_seed0.csv",
  GaussiansRot3 = "../numpy-legacy/GaussiansRot_n1500_seed0_g3.csv",
  GaussiansRot5 = "../numpy-legacy/GaussiansRot_n1500_seed0_g5.csv",
  GaussiansRot7 = "../numpy-legacy/GaussiansRot_n1500_seed0_g7.csv",
  Heavy = "Heavy.csv", Skewed = "Skewed.csv", Gauss3 = "Gauss3.csv", Gauss5 = "Gauss5.csv")

out <- list(ks = as.character(packageVersion("ks")), R = R.version.string, sets = list())
for (name in names(sets)) {
  x <- read_xy(sets[[name]])
  t0 <- Sys.time()
  r <- list(file = sets[[name]], n = nrow(x), d = ncol(x),
            hpi = Hpi(x, binned = FALSE), hpi_diag = Hpi.diag(x, binned = FALSE),
            hscv = Hscv(x, binned = FALSE), hscv_diag = Hscv.diag(x, binned = FALSE))
  r$seconds <- as.numeric(Sys.time() - t0, units = "secs")
  cat(name, "done in", r$seconds, "s\n")
  out$sets[[name]] <- r
}

# Intermediate pilot bandwidths, from ks's own internal functions, for the first steps of each pilot type
ns <- asNamespace("ks")
x <- read_xy(sets$Moons)
xs <- ns$pre.sphere(x)
S <- var(xs)
g6 <- ns$gsamse(S, n = nrow(x), modr = 6)
psi6 <- ns$kfe(x = xs, G = g6^2 * diag(2), deriv.order = 6, deriv.vec = TRUE, binned = FALSE, add.index = FALSE)
g4 <- ns$gsamse(S, n = nrow(x), modr = 4, nstage = 2, psihat = psi6)
psi4 <- ns$kfe(x = xs, G = g4^2 * diag(2), deriv.order = 4, deriv.vec = TRUE, binned = FALSE, add.index = TRUE)$psir
out$moons_samse <- list(g6 = g6, psi6 = psi6, g4 = g4, psi4 = psi4, g4_stage1 = ns$gsamse(S, n = nrow(x), modr = 4))
x3 <- read_xy("Gauss3.csv")
x3s <- ns$pre.sphere(x3)
out$gauss3_dscalar <- list(
  g4 = ns$gdscalar(x = x3s, r = 0, n = nrow(x3), d = 3, verbose = FALSE, nstage = 2, binned = FALSE),
  g4_scv = ns$gdscalar(x = x3s, r = 0, n = nrow(x3), d = 3, verbose = FALSE, nstage = 2, binned = FALSE, scv = TRUE),
  eta6 = ns$Qr(x = x3s, deriv.order = 6, Sigma = 0.7^2 * diag(3), inc = 1),
  psi4 = ns$kfe(x = x3s, G = 0.5^2 * diag(3), deriv.order = 4, deriv.vec = TRUE, binned = FALSE, add.index = FALSE))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "reference.json")
cat("wrote reference.json\n")
