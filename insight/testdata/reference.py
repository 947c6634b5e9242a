#!/usr/bin/env python3
"""Reference values for the tests of package insight, computed with scipy, statsmodels and
numpy, never with mlexp.

It writes, beside itself:

  functions.json            the statistical building blocks on small inputs: Spearman's rho
                            with its exact / t p-value and Fisher z interval, Kendall's tau-b,
                            the noncentral t CDF, t-test power and sample sizes, Holm's
                            adjustment, DerSimonian-Laird shrinkage, one-way ANOVA with
                            eta^2 and omega^2;
  hard_runs.json            a seeded 68-run experiment made to hurt: 1-10 replicates per
                            config, a NaN value, failed and killed runs, identical replicates,
                            a single-run config near the top, "" and "none" as cross lists;
  edge_runs.json            a small experiment of edge cases: the mean 0.4301/0.4402/0.4203
                            that ties with 0.4302, equal means, identical replicates;
  expected_<name>.json      for hard, edge and demo (demo_runs.json, written by the Go test
                            TestDemoRunsFixture -update from demo.Reports(42)): every figure of
                            the insights report that issue 20 is about, on recall_at_100 and on
                            loss, recomputed from the runs as docs/insights.md states.

The Go tests read these files; they do not run this script (CI has no scipy). To refresh:

    python3 -m venv /tmp/statsvenv && /tmp/statsvenv/bin/pip install scipy statsmodels numpy
    /tmp/statsvenv/bin/python insight/testdata/reference.py

Versions used for the committed files are recorded in functions.json ("versions").
"""

import json
import math
import os
import random

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower

HERE = os.path.dirname(os.path.abspath(__file__))
ALPHA = 0.05
TIE = 1e-9  # relative tolerance of ties (insight.TieTolerance)
SMALL = 5  # insight.SmallSample
EXACT_MAX = 9  # insight.SpearmanExactMax
MAX_REPLICATES = 50


def clean(v):
    """JSON has no NaN or infinity: they are null."""
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return v if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def write(name, data):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(clean(data), f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")


# ---------------------------------------------------------------- building blocks


def same(a, b):
    return a == b or abs(a - b) <= TIE * max(abs(a), abs(b))


def snap(xs):
    """Values within TIE x max|x| of the first of a sorted run take its value."""
    xs = list(xs)
    scale = max((abs(x) for x in xs), default=0.0)
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = list(xs)
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and xs[order[j]] - xs[order[i]] <= TIE * scale:
            out[order[j]] = xs[order[i]]
            j += 1
        i = j
    return out


def spearman(x, y):
    x, y = snap(x), snap(y)
    n = len(x)
    rho = stats.spearmanr(x, y).statistic
    tau = stats.kendalltau(x, y, variant="b").statistic
    out = {"x": x, "y": y, "rho": rho, "tau": tau, "p": None, "exact": False, "ci_low": None, "ci_high": None}
    if not math.isfinite(rho):
        return out
    if n <= EXACT_MAX:
        # One sample permuted against the fixed other: the n! pairings. The statistic is
        # spearmanr's rho (Pearson's r of average ranks), vectorized over a batch.
        rx = stats.rankdata(x)
        rx = rx - rx.mean()

        def rho_of(b, axis=-1):
            rb = stats.rankdata(b, axis=axis)
            rb = rb - rb.mean(axis=-1, keepdims=True)
            return (rb * rx).sum(axis=-1) / np.sqrt((rb * rb).sum(axis=-1) * (rx * rx).sum())

        assert abs(rho_of(np.array(y)) - rho) < 1e-12
        res = stats.permutation_test((y,), rho_of, vectorized=True, batch=20000,
                                     permutation_type="pairings", alternative="two-sided", n_resamples=np.inf)
        out["p"], out["exact"] = res.pvalue, True
    else:
        out["p"] = stats.spearmanr(x, y).pvalue
    if n >= 4 and abs(rho) < 1:
        z, se = math.atanh(rho), math.sqrt((1 + rho * rho / 2) / (n - 3))
        q = stats.norm.ppf(1 - ALPHA / 2)
        out["ci_low"], out["ci_high"] = math.tanh(z - q * se), math.tanh(z + q * se)
    return out


def runs_per_config(sd, gap):
    """ceil of statsmodels' solve_power, at least 2; MAX_REPLICATES+1 beyond the cap."""
    gap = abs(gap)
    if not (sd > 0) or gap <= TIE * sd:
        return MAX_REPLICATES + 1, None
    d = gap / sd
    power = TTestIndPower()
    if power.power(d, MAX_REPLICATES, ALPHA) < 0.8:
        return MAX_REPLICATES + 1, None
    if power.power(d, 2, ALPHA) >= 0.8:  # solve_power finds no root above 2
        return 2, None
    n = power.solve_power(effect_size=d, alpha=ALPHA, power=0.8, ratio=1.0, alternative="two-sided")
    return max(2, math.ceil(n - 1e-9)), n


def holm(ps):
    idx = [i for i, p in enumerate(ps) if p is not None and math.isfinite(p)]
    out = [None] * len(ps)
    if idx:
        adj = multipletests([ps[i] for i in idx], alpha=ALPHA, method="holm")[1]
        for i, a in zip(idx, adj):
            out[i] = a
    return out


def shrink(means, variances):
    if len(means) < 3:
        return None
    res = combine_effects(np.array(means), np.array(variances), method_re="dl")
    tau2, mu = float(res.tau2), float(res.mean_effect_re)
    if tau2 < 0:
        # statsmodels leaves the moment estimate negative; DerSimonian and Laird truncate it
        # at 0, where the random-effects mean is the fixed-effect mean.
        tau2, mu = 0.0, float(res.mean_effect_fe)
    return {"mu": mu, "tau2": tau2, "shrunk": [mu + tau2 / (tau2 + v) * (m - mu) for m, v in zip(means, variances)]}


def anova(groups):
    """F and p from scipy.stats.f_oneway; sums of squares for eta^2 and omega^2 by hand."""
    allv = [y for g in groups for y in g]
    k, n = len(groups), len(allv)
    out = {"groups": groups, "df_between": k - 1, "df_within": n - k, "f": None, "p": None, "eta2": None, "omega2": None}
    if k < 2 or n - k < 1:
        return out
    grand = math.fsum(allv) / n
    ssb = math.fsum(len(g) * (math.fsum(g) / len(g) - grand) ** 2 for g in groups)
    ssw = math.fsum((y - math.fsum(g) / len(g)) ** 2 for g in groups for y in g)
    sst = ssb + ssw
    if not sst > 0:
        return out
    msw = ssw / (n - k)
    out["eta2"] = ssb / sst
    out["omega2"] = (ssb - (k - 1) * msw) / (sst + msw)
    if msw > 0:
        res = stats.f_oneway(*[np.array(g) for g in groups])
        out["f"], out["p"] = res.statistic, res.pvalue
    else:
        out["p"] = 0.0
    return out


def functions():
    rng = random.Random(20)
    cases = [
        ([1, 2, 2, 3, 4], [1, 3, 2, 2, 5]),
        ([0.41, 0.43, 0.45, 0.44], [0.40, 0.425, 0.44, 0.445]),
        ([1, 2, 3, 4], [1, 2, 3, 4]),
        ([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]),
        ([1, 1, 2, 2, 3, 3], [1, 2, 1, 3, 2, 3]),
        ([3, 1, 4, 1, 5, 9, 2, 6, 5], [2, 7, 1, 8, 2, 8, 1, 8, 2]),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 6, 5, 8, 7, 10, 9]),
        (list(range(1, 13)), [2, 3, 1, 8, 6, 7, 12, 4, 11, 9, 5, 10]),
        (list(range(1, 31)), list(range(30, 0, -1))),
    ]
    for n in (3, 5, 7, 8, 9, 10, 14, 25):
        cases.append(([rng.randint(0, 5) for _ in range(n)], [rng.randint(0, 5) for _ in range(n)]))
        cases.append(([round(rng.gauss(0.45, 0.01), 4) for _ in range(n)], [round(rng.gauss(0.45, 0.01), 4) for _ in range(n)]))
    sp = [spearman([float(v) for v in x], [float(v) for v in y]) for x, y in cases]

    nct = []
    for t, df, nc in [(2.0, 10, 1.5), (-1.0, 3, 0.5), (2.5, 40, 3.0), (0.0, 5, 2.0), (-2.1, 18, 1.0), (1.96, 98, 2.8),
                      (4.0, 2, 6.0), (-3.0, 7, -2.0), (12.7, 1, 0.3), (2.01, 57.5, 0.9)]:
        nct.append({"t": t, "df": df, "nc": nc, "cdf": stats.nct.cdf(t, df, nc)})

    power = []
    for d, n in [(0.8165, 10), (0.8165, 25), (0.5, 64), (1.2, 4), (2.0, 2), (0.3, 50), (3.0, 3)]:
        power.append({"d": d, "n": n, "power": TTestIndPower().power(d, n, ALPHA)})
    sizes = []
    for sd, gap in [(0.005, 0.004), (0.01, 0.01), (0.001, 0.1), (math.sqrt(0.00015), 0.01), (0.01, 0.006), (0.005, 0.0001),
                    (0.012, 0.009), (0.02, 0.001), (0.0086, 0.0125)]:
        n, raw = runs_per_config(sd, gap)
        sizes.append({"sd": sd, "gap": gap, "runs": n, "solve_power": raw})

    holms = []
    for ps in ([0.01, 0.04, 0.03, 0.2], [0.5], [0.001, 0.002, 0.9, 0.04, 0.011, 0.6], [0.049, 0.02]):
        holms.append({"p": ps, "adjusted": holm(ps)})

    dl = []
    for means, var in [([0.47, 0.46, 0.44, 0.404], [1e-4 / 3, 2e-4 / 2, 7e-5, 3e-5 / 5]),
                       ([0.45, 0.451, 0.449, 0.4505], [4e-5, 4e-5, 2e-5, 1e-4]),
                       ([0.40, 0.42, 0.44, 0.46, 0.48], [1e-5, 2e-5, 1e-5, 5e-5, 2.5e-5])]:
        dl.append({"means": means, "variances": var, **shrink(means, var)})

    an = [anova(g) for g in (
        [[0.41, 0.44, 0.30], [0.43, 0.47, 0.46]],  # TestEffectsByHand: cross_features
        [[0.41, 0.43], [0.44, 0.47], [0.46]],  # TestEffectsByHand: dim
        [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [5.0, 6.0, 7.0], [1.5, 2.5]],
        [[0.4], [0.5]],
    )]
    return {"versions": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__},
            "spearman": sp, "nct": nct, "power": power, "runs_per_config": sizes, "holm": holms, "shrinkage": dl, "anova": an}


# ---------------------------------------------------------------- datasets


def run(rid, typ, config, value, params, status="FINISHED", loss=True, cost=None, deployed=False):
    metrics = {}
    if value is not None:
        metrics["recall_at_100"] = value
        if loss:
            metrics["loss"] = "NaN" if value == "NaN" else 1 - value
    return {"id": rid, "type": typ, "config_id": config, "status": status, "params": dict(params, run_type=typ, config_id=config),
            "metrics": metrics, "cost_usd": cost, "deployed": deployed}


def hard_runs():
    """68 runs over 12 configs with every difficulty issue 20 lists."""
    rng = random.Random(68)
    users, prods = [32, 64, 128, 256], [32, 64]
    crosses = ["none", "", "category_x_subcategory", "subcategory_x_category,user_id_x_city"]
    replicates = [3, 1, 2, 6, 4, 2, 5, 1, 3, 2, 4, 2]  # 35 quick tests; more are added below
    out = []
    for c in range(12):
        cfg = "config-%02d" % (c + 1)
        u, p, x = users[c % 4], prods[(c // 4) % 2], crosses[c % 4 if c < 8 else (c + 1) % 4]
        params = {"user_id_embedding_dim": str(u), "product_id_embedding_dim": str(p), "cross_features": x,
                  "revenue_buckets": str([5, 10, 20, 40, 80, 160][rng.randrange(6)]), "epochs": "2", "data_sample_percent": "10"}
        base = 0.40 + 0.012 * math.log2(u / 32) + 0.006 * (p == 64) + (0.0 if x in ("none", "") else 0.01 * len(x.split(",")))
        for r in range(replicates[c]):
            v = round(base + rng.gauss(0, 0.005), 4)
            if cfg == "config-06":
                v = 0.4471  # identical replicates
            out.append(run("q%02d-%d" % (c + 1, r), "quick_test", cfg, v, params))
        if cfg == "config-08":  # a single run near the top
            out[-1]["metrics"]["recall_at_100"] = 0.4612
            out[-1]["metrics"]["loss"] = 1 - 0.4612
    out.append(run("q04-nan", "quick_test", "config-04", "NaN", out[10]["params"]))
    out.append(run("q03-failed", "quick_test", "config-03", None, {"user_id_embedding_dim": "128", "cross_features": "category_x_subcategory"}, status="FAILED"))
    out.append(run("q07-failed", "quick_test", "config-07", 0.49, {"user_id_embedding_dim": "128"}, status="FAILED"))
    out.append(run("q09-killed", "quick_test", "config-09", 0.50, {"user_id_embedding_dim": "32"}, status="KILLED"))
    out.append(run("q11-running", "quick_test", "config-11", None, {}, status="RUNNING"))
    fulls = {"config-01": 0.432, "config-03": 0.451, "config-04": 0.455, "config-05": 0.425, "config-07": 0.457,
             "config-09": 0.430, "config-10": 0.452, "config-12": 0.461}
    for i, (cfg, v) in enumerate(fulls.items()):
        params = next(r["params"] for r in out if r["config_id"] == cfg and r["status"] == "FINISHED")
        params = {k: v2 for k, v2 in params.items() if k not in ("run_type", "config_id")}
        params.update(epochs="20", data_sample_percent="100")
        out.append(run("f%02d" % (i + 1), "full_training", cfg, round(v + rng.gauss(0, 0.003), 4), params,
                       cost=round(30 + 10 * rng.random(), 2), deployed=(cfg == "config-05")))
    out.append(run("f12-b", "full_training", "config-12", round(0.461 + rng.gauss(0, 0.003), 4), out[-1]["params"], cost=41.5))
    # Pad to 68 runs with more quick tests of the replicated middle configs.
    k = 0
    while len(out) < 68:
        c = [2, 8, 10][k % 3]
        src = next(r for r in out if r["config_id"] == "config-%02d" % (c + 1))
        base = src["metrics"]["recall_at_100"]
        out.append(run("q%02d-x%d" % (c + 1, k), "quick_test", src["config_id"], round(base + rng.gauss(0, 0.005), 4),
                       {kk: vv for kk, vv in src["params"].items() if kk not in ("run_type", "config_id")}))
        k += 1
    for i, r in enumerate(out):
        r["start"] = i
    return out


def edge_runs():
    p = {"user_id_embedding_dim": "64", "epochs": "2"}
    out = []
    for cfg, quick, full, cross in [
        ("E1", [0.4301, 0.4402, 0.4203], [0.4401], "none"),
        ("E2", [0.4302], [0.4390], ""),
        ("E3", [0.4350, 0.4250], [0.4290], "a_x_b"),
        ("E4", [0.4400, 0.4400], [0.4500], "a_x_b"),
        ("E5", [0.4410, 0.4390], [0.4480], "b_x_a"),
        ("E6", [0.4100], [], ""),
    ]:
        for i, v in enumerate(quick):
            out.append(run("%s-q%d" % (cfg, i + 1), "quick_test", cfg, v, dict(p, cross_features=cross)))
        for i, v in enumerate(full):
            out.append(run("%s-f%d" % (cfg, i + 1), "full_training", cfg, v, dict(p, cross_features=cross, epochs="20"),
                           cost=40.0 + i, deployed=(cfg == "E2")))
    for i, r in enumerate(out):
        r["start"] = i
    return out


# ---------------------------------------------------------------- the report, from the runs


def value(r, metric):
    v = r["metrics"].get(metric)
    if v is None or v == "NaN" or not math.isfinite(v):
        return None
    return v


def counted(runs, metric, typ):
    return [r for r in runs if r["status"] == "FINISHED" and (typ == "all" or r["type"] == typ) and value(r, metric) is not None]


def groups_of(runs, metric, typ):
    out = {}
    for r in counted(runs, metric, typ):
        key = r["config_id"] or "run:" + r["id"]
        out.setdefault(key, []).append(value(r, metric))
    return out


def better(metric, a, b):
    lower = any(s in metric for s in ("loss", "error", "mse", "mae", "rmse"))
    return not same(a, b) and (a < b if lower else a > b)


def spread(vs):
    return any(not same(v, vs[0]) for v in vs[1:])


def mean(vs):
    return math.fsum(vs) / len(vs)


def estimates(groups):
    ss, df = [], 0
    for vs in groups.values():
        if len(vs) >= 2 and spread(vs):
            ss.append((len(vs) - 1) * np.var(vs, ddof=1))
            df += len(vs) - 1
    pooled = math.sqrt(math.fsum(ss) / df) if df else None
    est = []
    for key, vs in groups.items():
        n = len(vs)
        own = float(np.std(vs, ddof=1)) if n >= 2 and spread(vs) else 0.0
        e = {"config_id": key, "n": n, "mean": mean(vs), "sd_used": None, "df": None, "sd_source": ""}
        if n > SMALL and own > 0:
            e.update(sd_used=own, df=n - 1, sd_source="own")
        elif pooled is not None and own > pooled:
            e.update(sd_used=own, df=df, sd_source="own")
        elif pooled is not None:
            e.update(sd_used=pooled, df=df, sd_source="pooled")
        est.append(e)
    return est, pooled, df


def noise(runs, metric):
    est, pooled, pdf = estimates(groups_of(runs, metric, "quick_test"))
    # best mean first; means that tie keep more runs first, then first appearance
    order = list(range(len(est)))
    import functools

    def cmp(i, j):
        a, b = est[i], est[j]
        if better(metric, a["mean"], b["mean"]):
            return -1
        if better(metric, b["mean"], a["mean"]):
            return 1
        return b["n"] - a["n"]
    order.sort(key=functools.cmp_to_key(cmp))
    est = [est[i] for i in order]
    best = est[0]
    ps = [None]
    for e in est[1:]:
        if best["df"] is None or e["df"] is None:
            ps.append(None)
            continue
        va, vb = best["sd_used"] ** 2 / best["n"], e["sd_used"] ** 2 / e["n"]
        t = 0.0 if same(best["mean"], e["mean"]) else (best["mean"] - e["mean"]) / math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va ** 2 / best["df"] + vb ** 2 / e["df"])
        ps.append(2 * stats.t.sf(abs(t), df))
    adj = holm(ps)
    for e, p, a in zip(est, ps, adj):
        e["p"], e["p_adjusted"] = p, a
        e["tied"] = a is not None and a >= ALPHA
        if e["df"] is not None:
            half = stats.t.ppf(1 - ALPHA / 2, e["df"]) * e["sd_used"] / math.sqrt(e["n"])
            e["ci_low"], e["ci_high"] = e["mean"] - half, e["mean"] + half
        else:
            e["ci_low"] = e["ci_high"] = None
    out = {"pooled_sd": pooled, "pooled_df": pdf, "best": best["config_id"], "tied": [e["config_id"] for e in est if e["tied"]],
           "configs": est, "grand_mean": None, "between_sd": None, "best_shrunk": "", "advice": None}
    if pooled is not None and len(est) >= 3:
        sh = shrink([e["mean"] for e in est], [e["sd_used"] ** 2 / e["n"] for e in est])
        for e, s in zip(est, sh["shrunk"]):
            e["mean_shrunk"] = s
        out["grand_mean"], out["between_sd"] = sh["mu"], math.sqrt(sh["tau2"])
        bi = 0
        for i, s in enumerate(sh["shrunk"]):
            if better(metric, s, sh["shrunk"][bi]):
                bi = i
        out["best_shrunk"] = est[bi]["config_id"]
    if pooled is None:
        out["verdict"] = "noise_unknown" if len(est) > 1 else "insufficient_data"
    elif not out["tied"]:
        out["verdict"] = "clear_winner"
    else:
        out["verdict"] = "within_noise"
        rival = next(e for e in est if e["tied"])
        sd = math.sqrt((best["sd_used"] ** 2 + rival["sd_used"] ** 2) / 2)
        gap = abs(best["mean"] - rival["mean"])
        n, raw = runs_per_config(sd, gap)
        capped = n > MAX_REPLICATES
        n = min(n, MAX_REPLICATES)
        a = {"configs": [best["config_id"], rival["config_id"]], "gap": gap, "sd": sd, "runs_per_config": n, "solve_power": raw,
             "capped": capped, "equal_means": same(best["mean"], rival["mean"]), "more": [max(0, n - best["n"]), max(0, n - rival["n"])]}
        if a["equal_means"]:
            a["gap"], a["more"] = 0.0, [0, 0]
        out["advice"] = a
    return out


def canonical_crosses(v):
    cs = set()
    for c in v.split(","):
        c = c.strip()
        if c and c.lower() != "none":
            cs.add("_x_".join(sorted(c.split("_x_"))))
    return ",".join(sorted(cs)) or "none"


def effects(runs, metric):
    samples = counted(runs, metric, "quick_test")
    params = sorted({k for r in samples for k in r["params"]} - {"config_id", "training_run_id", "run_type"})
    out = []
    for p in params:
        units = {}
        for r in samples:
            raw = r["params"].get(p)
            if raw is None or (p != "cross_features" and raw.strip() == ""):
                continue
            lv = canonical_crosses(raw) if p == "cross_features" else raw.strip()
            units.setdefault((r["config_id"], lv), []).append(value(r, metric))
        levels = {}
        for (cfg, lv), vs in units.items():
            levels.setdefault(lv, []).append(mean(vs))
        if len(levels) < 2:
            continue
        lm = {lv: mean(ms) for lv, ms in levels.items()}
        best = worst = None
        for lv in lm:
            if best is None or better(metric, lm[lv], lm[best]):
                best = lv
            if worst is None or better(metric, lm[worst], lm[lv]):
                worst = lv
        a = anova(list(levels.values()))
        del a["groups"]
        out.append({"param": p, "size": abs(lm[best] - lm[worst]), "best_level": best, "levels": {lv: {"n": len(ms), "mean": lm[lv]} for lv, ms in levels.items()}, **a})
    out.sort(key=lambda e: (e["omega2"] is None, -(e["omega2"] or 0), -e["size"], e["param"]))
    return out


def fidelity(runs, metric):
    q, f = groups_of(runs, metric, "quick_test"), groups_of(runs, metric, "full_training")
    pairs = [(k, mean(q[k]), mean(f[k]), len(q[k]), len(f[k])) for k in q if k in f and not k.startswith("run:")]
    xs, ys = [p[1] for p in pairs], [p[2] for p in pairs]
    out = {"n": len(pairs), "single_run_pairs": sum(1 for p in pairs if p[3] == 1 or p[4] == 1),
           "mean_offset": mean([y - x for x, y in zip(xs, ys)]) if pairs else None}
    if len(pairs) >= 2:
        s = spearman(xs, ys)
        out.update(rho=s["rho"], tau=s["tau"], p=s["p"], exact=s["exact"], ci_low=s["ci_low"], ci_high=s["ci_high"])
        rho, p = s["rho"], s["p"]
        evidence = p is not None and p < ALPHA and (s["ci_low"] is None or s["ci_low"] > 0)
        if len(pairs) < 3:
            out["verdict"] = "too_few_pairs"
        elif not math.isfinite(rho):
            out["verdict"] = "undefined"
        elif rho >= 0.7 and evidence:
            out["verdict"] = "reliable"
        elif rho >= 0.4 and evidence:
            out["verdict"] = "moderate"
        elif rho >= 0.4:
            out["verdict"] = "inconclusive"
        else:
            out["verdict"] = "unreliable"
    return out


def gain(runs, metric):
    q = groups_of(runs, metric, "quick_test")
    f = groups_of(runs, metric, "full_training")
    winner = None
    for k in q:  # best mean; among means that tie, more runs, then first
        if winner is None or better(metric, mean(q[k]), mean(q[winner])) or (same(mean(q[k]), mean(q[winner])) and len(q[k]) > len(q[winner])):
            winner = k
    diffs = [mean(f[k]) - mean(q[k]) for k in q if k in f]
    offset = mean(diffs) if diffs else 0.0
    est, pooled, _ = estimates(q)
    out = {"winner": winner, "quick_mean": mean(q[winner]), "offset": offset, "quick_mean_shrunk": None}
    out["expected_full_raw"] = out["expected_full"] = out["quick_mean"] + offset
    if winner in f:  # measured: the mean of the winner's own full trainings, no estimate
        out["expected_full_raw"] = out["expected_full"] = mean(f[winner])
    elif pooled is not None and len(est) >= 3:
        sh = shrink([e["mean"] for e in est], [e["sd_used"] ** 2 / e["n"] for e in est])
        i = [e["config_id"] for e in est].index(winner)
        out["quick_mean_shrunk"] = sh["shrunk"][i]
        out["expected_full"] = sh["shrunk"][i] + offset
    dep = max((r for r in runs if r.get("deployed")), key=lambda r: r["start"])
    scale = 100 if metric.startswith("recall") else 1  # percentage points for fractions
    sign = -1 if better(metric, 0, 1) else 1
    out["deployed_value"] = value(dep, metric)
    out["gain"] = sign * (out["expected_full"] - out["deployed_value"]) * scale
    out["gain_raw"] = sign * (out["expected_full_raw"] - out["deployed_value"]) * scale
    costs = [r["cost_usd"] for r in runs if r["type"] == "full_training" and r["status"] == "FINISHED" and r["cost_usd"] is not None]
    own = [r["cost_usd"] for r in runs if r["type"] == "full_training" and r["status"] == "FINISHED" and r["cost_usd"] is not None and r["config_id"] == winner]
    out["cost"] = float(np.median(own or costs))
    out["gain_per_dollar"] = out["gain"] / out["cost"]
    out["gain_per_dollar_raw"] = out["gain_raw"] / out["cost"]
    return out


def expected(runs):
    out = {}
    for metric in ("recall_at_100", "loss"):
        out[metric] = {"fidelity": fidelity(runs, metric), "noise": noise(runs, metric), "effects": effects(runs, metric), "gain": gain(runs, metric)}
    return out


def main():
    write("functions.json", functions())
    hard, edge = hard_runs(), edge_runs()
    write("hard_runs.json", hard)
    write("edge_runs.json", edge)
    write("expected_hard.json", expected(hard))
    write("expected_edge.json", expected(edge))
    demo = os.path.join(HERE, "demo_runs.json")
    if os.path.exists(demo):
        with open(demo) as f:
            write("expected_demo.json", expected(json.load(f)))
    else:
        print("demo_runs.json is missing: run go test ./insight -run TestDemoRunsFixture -update first")


if __name__ == "__main__":
    main()
