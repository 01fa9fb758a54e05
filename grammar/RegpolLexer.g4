// The regpol policy language: tokens. docs/language.md is the reference.
// No embedded actions: the lexer is generated for C++ but holds no C++.
lexer grammar RegpolLexer;

POLICY: 'policy'; IMPORT: 'import'; AS: 'as'; LET: 'let';
REPOSITORY: 'repository'; EXCEPT: 'except'; DEFAULTS: 'defaults';
MUTABILITY: 'mutability'; MUTABLE: 'mutable'; IMMUTABLE: 'immutable';
LIFECYCLE: 'lifecycle'; RULE: 'rule'; SELECT: 'select';
TAGGED: 'tagged'; UNTAGGED: 'untagged'; ANY: 'any'; PREFIX: 'prefix'; PATTERN: 'pattern'; ARTIFACTS: 'artifacts'; TYPE: 'type';
IN: 'in'; STANDARD: 'standard'; WHERE: 'where';
KEEP: 'keep'; NEWEST: 'newest'; EXPIRE: 'expire'; ARCHIVE: 'archive'; UNTAG: 'untag';
OLDER: 'older'; THAN: 'than'; UNPULLED: 'unpulled'; FOR: 'for'; ARCHIVED: 'archived';
ALL: 'all'; BUT: 'but'; BY: 'by'; SEMVER: 'semver'; PER: 'per';
PROTECT: 'protect'; IN_USE: 'in_use'; ALLOW_EMPTY: 'allow_empty'; TEMPLATE: 'template'; USE: 'use'; PRIORITY: 'priority';
ACCESS: 'access'; GATE: 'gate'; SCAN: 'scan'; SCANNING: 'scanning'; REQUIRE: 'require'; REGISTRY: 'registry'; REPLICATE: 'replicate'; ALLOW: 'allow'; DENY: 'deny'; SID: 'sid'; TO: 'to'; ON: 'on'; TAGS: 'tags';
WHEN: 'when'; UNLESS: 'unless'; OF: 'of';
ACCOUNT: 'account'; ARN: 'arn'; SERVICE: 'service'; ORG: 'org';
PROVE: 'prove'; NEVER: 'never'; ALWAYS: 'always'; NO: 'no'; NEW: 'new';
TEST: 'test'; SNAPSHOT: 'snapshot'; AT: 'at'; EXPECT: 'expect';
AND: 'and'; OR: 'or'; NOT: 'not'; LIKE: 'like'; MATCHES: 'matches';
TRUE: 'true'; FALSE: 'false';

LBRACE: '{'; RBRACE: '}'; LBRACK: '['; RBRACK: ']'; LPAREN: '('; RPAREN: ')';
COMMA: ','; DOT: '.'; COLON: ':';
EQ: '=='; NE: '!='; LE: '<='; GE: '>='; LT: '<'; GT: '>'; ASSIGN: '=';
STAR: '*'; SLASH: '/'; PLUS: '+'; MINUS: '-';

// RFC 3339 instant with a zone: 2026-11-27T00:00:00Z, 2026-11-27T01:00:00.5+01:00.
TIMESTAMP: D D D D '-' D D '-' D D 'T' D D ':' D D ':' D D ('.' D+)? ('Z' | [+-] D D ':' D D);
// 7d, 12h, 30m, 45s, 2w.
DURATION: D+ [wdhms];
// 500MB, 2GiB, 1.5GB (decimal units are powers of 1000, binary ones of 1024).
SIZE: D+ ('.' D+)? ('B' | 'KB' | 'MB' | 'GB' | 'TB' | 'KiB' | 'MiB' | 'GiB' | 'TiB');
NUMBER: D+ ('.' D+)?;
// A number glued to letters that make no unit ("7days", "5x"): reported as a malformed literal.
BAD_LITERAL: D+ ('.' D+)? [a-zA-Z_] [a-zA-Z0-9_]*;

// IAM condition keys: aws:SourceIp, ecr:ResourceTag/team, aws:PrincipalTag/cost-center.
// The service prefix is case-insensitive, as IAM key names are.
CONDKEY: ([aA][wW][sS] | [eE][cC][rR] | [kK][mM][sS] | [sS][tT][sS] | [iI][aA][mM] | [sS] '3' | [eE][cC] '2') ':' [A-Za-z0-9_] [A-Za-z0-9_./-]*;

IDENT: [a-zA-Z_] [a-zA-Z0-9_]*;
STRING: '"' (ESC | ~["\\\r\n])* '"';
UNTERMINATED_STRING: '"' (ESC | ~["\\\r\n])*;

COMMENT: '#' ~[\r\n]* -> channel(HIDDEN);
WS: [ \t\r\n\f]+ -> skip;
ERROR_CHAR: .;

fragment D: [0-9];
fragment ESC: '\\' ~[\r\n];
