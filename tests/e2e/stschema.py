"""Check secret-tracker log lines against their JSON Schemas.

The schemas are docs/system/devices/secret-tracker-log.schema.json
(log-format=native) and secret-tracker-log-ecs.schema.json (ecs); the
ECS one refers to definitions of the native one.  Needs Debian's
python3-jsonschema (scripts/st-deps.sh installs it).
"""

import json
import os

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                    'docs', 'system', 'devices')
FILES = {'native': 'secret-tracker-log.schema.json',
         'ecs': 'secret-tracker-log-ecs.schema.json'}


def validators():
    """{format: validator} for both formats."""
    try:
        import jsonschema
    except ImportError:
        raise AssertionError('python3-jsonschema is missing: run '
                             '"make deps"') from None
    schemas = {}
    for fmt, name in FILES.items():
        with open(os.path.join(DOCS, name)) as f:
            schemas[fmt] = json.load(f)
    store = {s['$id']: s for s in schemas.values()}
    out = {}
    for fmt, schema in schemas.items():
        cls = jsonschema.Draft202012Validator
        cls.check_schema(schema)
        out[fmt] = cls(schema,
                       resolver=jsonschema.RefResolver.from_schema(
                           schema, store=store),
                       format_checker=jsonschema.FormatChecker())
    return out


def errors(lines, fmt, vals=None):
    """The schema violations of LINES (parsed objects), as strings."""
    v = (vals or validators())[fmt]
    out = []
    for i, line in enumerate(lines):
        for e in v.iter_errors(line):
            out.append('line %d: %s at %s' % (i + 1, e.message,
                                              '/'.join(map(str, e.path))))
    return out


def self_test(line, fmt, vals=None):
    """Mutations of a valid LINE that its schema must reject: the schema
    is not vacuous.  Returns the mutations it accepted."""
    vals = vals or validators()
    bad = []

    def mutate(name, fn):
        c = json.loads(json.dumps(line))
        fn(c)
        if not errors([c], fmt, vals):
            bad.append(name)

    if fmt == 'native':
        mutate('no id', lambda c: c.pop('id'))
        mutate('no vm', lambda c: c.pop('vm'))
        mutate('bad time', lambda c: c.update(time='yesterday'))
        mutate('unknown field', lambda c: c.update(extra=1))
        mutate('bad node', lambda c: c['source'].update(kind='disk'))
        mutate('empty labels', lambda c: c.update(labels=[]))
    else:
        mutate('no @timestamp', lambda c: c.pop('@timestamp'))
        mutate('bad category',
               lambda c: c['event'].update(category=['secrets']))
        mutate('bad type', lambda c: c['event'].update(type=['moved']))
        mutate('numeric inode',
               lambda c: c.setdefault('file', {}).update(inode=5))
        mutate('no flow', lambda c: c['secret_tracker'].pop('flow'))
        mutate('bad ip', lambda c: c.update(source={'ip': 'nowhere'}))
        mutate('unknown field', lambda c: c.update(extra=1))
    return bad
