"""`reconciler leads`: push a call list (CSV) through POST /v3/autocall/import, safely.

One job per module: `csvread` reads the file with every field located, `phone` and `values`
check and normalise what a row holds, `rows` validates a whole file, `compliance` decides
what may be called and when, `journal` remembers every row sent, `push` sends at a rate,
`lookup` settles unclear answers from the lead report, `results` writes the outcome.
"""
