"""The linear-probe reference on a small synthetic feature set
(models/fixtures/expected/logistic_regression.json): the exact minimiser of clip4j's objective,
mean cross-entropy + lambda/2 ||W||^2 (bias not penalised), found by SciPy's L-BFGS to a gradient
norm of 1e-12; and scikit-learn's multinomial LogisticRegression (lbfgs) with C = 1 / (lambda n),
the same objective by its documentation, whose solutions land within about 1e-3 of the exact one.

    models/.pyenv/bin/python models/make_probe_fixture.py
"""
import json
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(5)
classes, dim, per_class = 4, 8, 60
centres = rng.normal(size=(classes, dim))
x = np.concatenate([centres[c] + 0.9 * rng.normal(size=(per_class, dim)) for c in range(classes)]).astype(np.float32)
y = np.repeat(np.arange(classes), per_class)
queries = rng.normal(size=(20, dim)).astype(np.float32)
n = len(x)


def exact_probabilities(lam):
    xd = x.astype(np.float64)

    def objective(p):
        w, b = p[:classes * dim].reshape(classes, dim), p[classes * dim:]
        z = xd @ w.T + b
        lse = logsumexp(z, axis=1)
        probabilities = np.exp(z - lse[:, None])
        probabilities[np.arange(n), y] -= 1
        value = (lse - z[np.arange(n), y]).mean() + 0.5 * lam * (w ** 2).sum()
        return value, np.concatenate([(probabilities.T @ xd / n + lam * w).ravel(), probabilities.sum(0) / n])

    p = minimize(objective, np.zeros(classes * dim + classes), jac=True, method="L-BFGS-B",
                 options={"gtol": 1e-12, "ftol": 1e-16, "maxiter": 100000}).x
    z = queries.astype(np.float64) @ p[:classes * dim].reshape(classes, dim).T + p[classes * dim:]
    return np.exp(z - logsumexp(z, axis=1, keepdims=True))


out = {"x": x.tolist(), "y": y.tolist(), "queries": queries.tolist(), "fits": []}
for C in [0.05, 1.0, 100.0]:
    lam = 1.0 / (C * n)
    sklearn = LogisticRegression(C=C, solver="lbfgs", max_iter=100000, tol=1e-12).fit(x, y)
    out["fits"].append({"C": C, "lambda": lam, "probabilities": exact_probabilities(lam).tolist(),
                        "sklearn_probabilities": sklearn.predict_proba(queries).tolist()})
path = Path(__file__).resolve().parent / "fixtures" / "expected" / "logistic_regression.json"
path.write_text(json.dumps(out))
print(path)
