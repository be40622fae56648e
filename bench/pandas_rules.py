#!/usr/bin/python3
"""bench/pandas_rules.py - eight of probity's rules as pandas joins and
group-bys, the comparison issue #13 is judged against.  Bench tooling, not
part of probity.

Usage: /usr/bin/python3 bench/pandas_rules.py DIR   (a canonical CSV ledger)
Prints one line per rule: "pandas: RULE FINDINGS SECONDS", then the load
time and the total.

Each rule is written the way an analyst would write it in pandas, with
probity's default parameters; the mapping (and what is simplified):

  competition.single-source   contracts joined to tenders; method limited or
                              direct (config/procedures.txt: not
                              competitive); value >= 100000.
  splitting.below-threshold   non-competitive contracts below 100000 (lots of
                              one tender summed), grouped by buyer and
                              supplier; greedy 30-day windows from the
                              earliest unused item; >= 2 items summing to
                              >= 100000.  Payments without a contract the
                              same way.  (probity also folds party ids into
                              entities; the generated ledger has none to fold.)
  payments.duplicate          same payee and amount, and the same invoice id
                              or paid within 3 days.  (probity also merges
                              groups, recognises instalment schedules and
                              folds invoice ids; not done here.)
  execution.overpayment       payments summed per contract, over the last
                              amended value (else the contract value) by
                              more than 1%.
  execution.value-increase    last amendment's value_after over the first
                              amendment's value_before (else the contract
                              value) by more than 20%.
  payments.round-amount       per payee, payments >= 1000 that are not a
                              repeat of an amount paid on 3 or more days;
                              >= 5 of them and >= 50% exact multiples of 1000.
  timing.year-end-spike       per payer and calendar year, December's total
                              >= 2x the mean of the months with spending,
                              with >= 6 such months.
  budget.overspend            spent over revised (else appropriated) by more
                              than 0.5%.
"""
import sys
import time

import pandas as pd

THRESHOLD = 100000.0


def load(d):
    """Read the tables the eight rules need, dates parsed, amounts as float."""
    dates = {
        "contracts": ["awarded_on", "signed_on"],
        "payments": ["paid_on"],
        "amendments": ["amended_on"],
    }
    out = {}
    for name in ["tenders", "contracts", "payments", "amendments", "budget"]:
        out[name] = pd.read_csv(f"{d}/{name}.csv", dtype=str, keep_default_na=False)
        for col in dates.get(name, []):
            out[name][col] = pd.to_datetime(out[name][col], errors="coerce")
    for name, cols in [("contracts", ["value"]), ("payments", ["amount"]),
                       ("amendments", ["value_before", "value_after"]),
                       ("budget", ["appropriated", "revised", "spent"])]:
        for col in cols:
            out[name][col] = pd.to_numeric(out[name][col], errors="coerce")
    return out


def noncompetitive(t):
    return t[t["method"].isin(["limited", "direct"])][["tender_id"]]


def single_source(t):
    c = t["contracts"].merge(noncompetitive(t["tenders"]), on="tender_id")
    return int((c["value"] >= THRESHOLD).sum())


def windows(frame, key, date, amount):
    """Greedy windows of 30 days per key; groups of >= 2 summing >= threshold."""
    found = 0
    frame = frame.sort_values(key + [date])
    counts = frame.groupby(key)[date].transform("size")
    frame = frame[counts >= 2]
    for _, g in frame.groupby(key, sort=False):
        d = g[date].values.astype("datetime64[D]").astype("int64")
        a = g[amount].values
        start, n = 0, len(d)
        while start < n:
            end = start
            while end < n and d[end] - d[start] <= 30:
                end += 1
            if end - start >= 2 and a[start:end].sum() >= THRESHOLD:
                found += 1
                start = end
            else:
                start += 1
    return found


def below_threshold(t):
    c = t["contracts"].merge(noncompetitive(t["tenders"]), on="tender_id")
    c = c.dropna(subset=["value", "awarded_on"])
    c = c[c["value"] > 0]
    lots = c.groupby(["buyer_id", "supplier_id", "tender_id"], as_index=False).agg(
        awarded_on=("awarded_on", "min"), value=("value", "sum"))
    lots = lots[lots["value"] < THRESHOLD]
    found = windows(lots, ["buyer_id", "supplier_id"], "awarded_on", "value")
    p = t["payments"]
    p = p[(p["contract_id"] == "") & (p["amount"] > 0) & (p["amount"] < THRESHOLD)]
    return found + windows(p.dropna(subset=["paid_on"]), ["payer_id", "payee_id"], "paid_on", "amount")


def duplicate(t):
    p = t["payments"].dropna(subset=["amount", "paid_on"])
    p = p[p["payee_id"] != ""]
    same_invoice = p[p["invoice_id"] != ""].duplicated(["payee_id", "amount", "invoice_id"], keep=False)
    flagged = set(p[p["invoice_id"] != ""][same_invoice]["payment_id"])
    s = p.sort_values(["payee_id", "amount", "paid_on"])
    same = (s["payee_id"] == s["payee_id"].shift()) & (s["amount"] == s["amount"].shift())
    near = same & ((s["paid_on"] - s["paid_on"].shift()).dt.days <= 3)
    flagged |= set(s[near]["payment_id"]) | set(s[near.shift(-1, fill_value=False)]["payment_id"])
    # One finding per payee and amount, as probity reports a group once.
    return int(p[p["payment_id"].isin(flagged)].groupby(["payee_id", "amount"]).ngroups)


def amended(t):
    a = t["amendments"].sort_values(["contract_id", "amended_on", "amendment_id"])
    return a.groupby("contract_id").agg(first_before=("value_before", "first"),
                                        last_after=("value_after", "last"))


def overpayment(t):
    paid = t["payments"].groupby("contract_id")["amount"].sum().rename("paid")
    c = t["contracts"].set_index("contract_id").join(amended(t)).join(paid, how="inner")
    value = c["last_after"].fillna(c["value"])
    c = c[value > 0]
    value = value[value > 0]
    return int((c["paid"] - value > value * 0.01).sum())


def value_increase(t):
    c = t["contracts"].set_index("contract_id").join(amended(t), how="inner")
    orig = c["first_before"].fillna(c["value"])
    final = c["last_after"]
    return int(((orig > 0) & (final - orig > orig * 0.20)).sum())


def round_amount(t):
    p = t["payments"].dropna(subset=["amount"])
    p = p[(p["payee_id"] != "") & (p["amount"] >= 1000)]
    days = p.groupby(["payee_id", "amount"])["paid_on"].transform("nunique")
    first = ~p.sort_values("paid_on").duplicated(["payee_id", "amount"]).reindex(p.index)
    p = p[(days < 3) | first]
    g = p.assign(round=(p["amount"] % 1000 == 0)).groupby("payee_id")["round"].agg(["size", "sum"])
    return int(((g["size"] >= 5) & (g["sum"] * 2 >= g["size"])).sum())


def year_end_spike(t):
    p = t["payments"].dropna(subset=["amount", "paid_on"])
    p = p[p["payer_id"] != ""]
    m = p.assign(y=p["paid_on"].dt.year, m=p["paid_on"].dt.month).groupby(["payer_id", "y", "m"])["amount"].sum()
    m = m.unstack("m")
    months = m.notna().sum(axis=1)
    total = m.sum(axis=1)
    dec = m[12] if 12 in m.columns else pd.Series(float("nan"), index=m.index)
    return int(((months >= 6) & dec.notna() & (total > 0) & (dec * months >= 2 * total)).sum())


def overspend(t):
    b = t["budget"]
    limit = b["revised"].fillna(b["appropriated"])
    return int(((limit > 0) & (b["spent"] - limit > limit * 0.005)).sum())


RULES = [
    ("competition.single-source", single_source),
    ("splitting.below-threshold", below_threshold),
    ("payments.duplicate", duplicate),
    ("execution.overpayment", overpayment),
    ("execution.value-increase", value_increase),
    ("payments.round-amount", round_amount),
    ("timing.year-end-spike", year_end_spike),
    ("budget.overspend", overspend),
]


def main():
    if len(sys.argv) != 2:
        print("usage: pandas_rules.py DIR", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    t = load(sys.argv[1])
    t1 = time.perf_counter()
    print(f"pandas: load {t1 - t0:.3f}")
    for rule, fn in RULES:
        s = time.perf_counter()
        n = fn(t)
        print(f"pandas: {rule} {n} {time.perf_counter() - s:.3f}")
    print(f"pandas: total {time.perf_counter() - t0:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
