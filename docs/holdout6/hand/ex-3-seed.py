# python3 hand/ex-3-seed.py > /tmp/holdout6/ex-bulk.jsonl; hand/h.sh ex /tmp/holdout6/ex-bulk.jsonl (600 adds, all "success"), then hand/ex-3.jsonl
import json
for i in range(600):
    print(json.dumps({'tool': 'add_expense', 'args': {'date': '2026-11-%02d' % (i % 28 + 1), 'amount': i + 0.25, 'category': 'Food & Dining', 'note': 'coffee %d' % i}}))
