import json, sys
sys.path.insert(0, '/work/corpus')
from score import field_of
for name in sys.argv[2:]:
    r = json.load(open(f'{sys.argv[1]}/{name}.json'))
    print('=====', name, r['server'], r['scores'], 'calls', sum(t['calls'] for t in r['tools']), 'dur', r['duration_s'])
    for t in r['tools']:
        if t['skipped']: print('  skipped', t)
    for f in r['findings']:
        ev = f['evidence']
        print(f"{f['severity'][0].upper()} {f['rule']} | {f['tool']} | {field_of(f['message'])} | {f['message'][:140]}")
        if f['rule'].startswith(('errors', 'idempotency', 'output.over', 'output.struct', 'protocol')):
            print('     call:', json.dumps((ev.get('call') or {}).get('arguments'))[:300], '\n     ans:', (ev.get('answer') or '')[:300].replace('\n', ' '), '\n     note:', ev.get('note'))
