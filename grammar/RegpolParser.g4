// The regpol policy language: syntax. docs/language.md is the reference; the AST built
// from this tree lives in engine/syntax. No embedded actions.
parser grammar RegpolParser;

options { tokenVocab = RegpolLexer; }

file: header? item* EOF;
header: POLICY STRING;

item: importDecl | letDecl | repositoryBlock | defaultsBlock | registryBlock | templateDecl | testBlock | proveDecl;

importDecl: IMPORT STRING AS name;
letDecl: LET name ASSIGN expr;

repositoryBlock: REPOSITORY valueList (EXCEPT valueList)? LBRACE blockItem* RBRACE;
defaultsBlock: DEFAULTS LBRACE blockItem* RBRACE;
valueList: primary (COMMA primary)*;
blockItem: mutabilityDecl | lifecycleBlock | accessBlock | gateBlock | scanDecl | requireDecl | proveDecl;

// Scanning: `scan on push` or `scan manual` in a repository block; in the registry block
// with the repositories a rule covers, `scan on push for "dev/*"`, `scan continuously for "prod/*"`.
scanDecl: SCAN ON? how=name (FOR valueList)?;
// What ECR cannot change on a repository once created, so regpol checks and never writes
// it: `require encryption aes256`, `require encryption kms key "arn:aws:kms:*:111122223333:key/*"`.
requireDecl: REQUIRE what=name kind=name (keyWord=name key=primary)?;

// Registry-wide settings: the scanning mode and rules, and replication.
registryBlock: REGISTRY LBRACE registryItem* RBRACE;
registryItem: scanningDecl | scanDecl | replicateDecl;
scanningDecl: SCANNING how=name;
// `replicate to region "eu-west-1", region "us-west-2" account "222233334444" for prefix "prod/"`
replicateDecl: REPLICATE TO destination (COMMA destination)* (FOR PREFIX valueList)?;
destination: kind=name region=primary (ACCOUNT account=primary)?;

mutabilityDecl: MUTABILITY setting=(MUTABLE | IMMUTABLE) (EXCEPT valueList)?;

lifecycleBlock: LIFECYCLE LBRACE lifecycleItem* RBRACE;
lifecycleItem: ruleDecl | protectDecl | useDecl | allowEmptyDecl;
allowEmptyDecl: ALLOW_EMPTY;
ruleDecl: RULE NUMBER STRING? LBRACE ruleBody RBRACE;
ruleBody: SELECT selection actionClause;
selection: tagSelection storageClause? (WHERE expr)?;
tagSelection: TAGGED (kind=(PREFIX | PATTERN) primary)? | UNTAGGED | ANY | ARTIFACTS (OF TYPE primary)?;
storageClause: IN storage=(ARCHIVE | STANDARD);
actionClause
  : KEEP NEWEST expr orderClause? perClause?                            # keepNewest
  | verb=(EXPIRE | ARCHIVE | UNTAG) ALL BUT NEWEST expr orderClause? perClause?  # allButNewest
  | verb=(EXPIRE | ARCHIVE | UNTAG) OLDER THAN expr                              # olderThan
  | verb=(EXPIRE | ARCHIVE | UNTAG) UNPULLED FOR expr                            # unpulledFor
  | verb=(EXPIRE | ARCHIVE | UNTAG) ARCHIVED FOR expr                            # archivedFor
  ;
orderClause: BY (SEMVER | name);
perClause: PER expr;
protectDecl: PROTECT (IN_USE | selection);
useDecl: USE qualifiedName LPAREN argList? RPAREN PRIORITY NUMBER;
qualifiedName: name (DOT name)*;
argList: arg (COMMA arg)*;
arg: (name COLON)? expr;

// A template holds one rule body (used in a lifecycle block, with a priority) or access
// statements (used in an access block).
templateDecl: TEMPLATE name LPAREN (param (COMMA param)*)? RPAREN STRING? LBRACE (ruleBody | accessStmt+) RBRACE;
param: name (ASSIGN expr)?;

accessBlock: ACCESS LBRACE accessItem* RBRACE;

// A deploy gate: `regpol gate IMAGE` refuses the image when any rule's expression holds.
gateBlock: GATE LBRACE gateRule* RBRACE;
gateRule: DENY STRING WHERE expr;
accessItem: accessStmt | accessUse;
accessUse: USE qualifiedName LPAREN argList? RPAREN;
// `on tags` goes before `to` (the canonical place) or after the principals, as the
// request-set grammar of properties writes it: `never allow push to * on tags "v*"`.
accessStmt
  : (SID STRING)? effect=(ALLOW | DENY) notAction=NOT? actionItem (COMMA actionItem)*
    (ON TAGS valueList)? TO notPrincipal=NOT? principal (COMMA principal)* (ON TAGS valueList)? condClause*
  ;
actionItem: name | STRING | STAR;
principal: STAR | kind=(ACCOUNT | ARN | SERVICE | ORG) primary;
condClause: kw=(WHEN | UNLESS) condition (AND condition)*;
condition: (qual=(ANY | ALL) OF)? CONDKEY condOp primary;
condOp: EQ | NE | LT | LE | GT | GE | LIKE | NOT LIKE | IN | NOT IN | IDENT;

// An access property, proved for every request by `regpol prove` (docs/verify.md). In a
// repository block it covers the block's repositories; at the top level, the repositories
// its `for` globs name (every repository without one). The body reads like an access
// statement: `never allow delete to * unless aws:PrincipalOrgID == "o-abc123"`,
// `always allow pull to org "o-abc123"`, or `no new access than "old.regpol"`.
proveDecl: PROVE STRING (FOR valueList (EXCEPT valueList)?)? LBRACE proveBody RBRACE;
proveBody
  : quantifier=(NEVER | ALWAYS) accessStmt    # accessProperty
  | NO NEW ACCESS THAN STRING                 # noNewAccessProperty
  ;

testBlock: TEST STRING LBRACE testItem* RBRACE;
// An access expectation's request: principal "ARN", action "ecr:PutImage" (or pull, push,
// delete), repository "NAME", tag "T", digest "sha256:…", context "KEY" "VALUE".
requestField: key=name (STRING | word=name) STRING?;
testItem
  : SNAPSHOT STRING (AT TIMESTAMP)?                                # testSnapshot
  | IN_USE STRING                                                  # testInUse
  | EXPECT STRING outcome=(IDENT | ARCHIVED | UNTAG) (BY RULE NUMBER)? # testExpect
  | EXPECT decision=(ALLOW | DENY) requestField+ (BY STRING)?      # testExpectAccess
  ;

expr
  : primary                                       # primaryExpr
  | expr DOT name                                 # memberExpr
  | expr LPAREN argList? RPAREN                   # callExpr
  | MINUS expr                                    # negExpr
  | expr op=(STAR | SLASH) expr                   # mulExpr
  | expr op=(PLUS | MINUS) expr                   # addExpr
  | expr op=(EQ | NE | LT | LE | GT | GE) expr    # cmpExpr
  | expr NOT? IN expr                             # inExpr
  | expr NOT? LIKE expr                           # likeExpr
  | expr MATCHES expr                             # matchesExpr
  | NOT expr                                      # notExpr
  | expr AND expr                                 # andExpr
  | expr OR expr                                  # orExpr
  ;

primary
  : STRING                                        # stringLit
  | NUMBER                                        # numberLit
  | DURATION                                      # durationLit
  | SIZE                                          # sizeLit
  | TIMESTAMP                                     # timestampLit
  | (TRUE | FALSE)                                # boolLit
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK    # listLit
  | name                                          # nameRef
  | LPAREN expr RPAREN                            # parenExpr
  ;

// Words that are keywords elsewhere but read as names in expressions (`tags`, `semver`).
name: IDENT | TAGGED | UNTAGGED | ANY | ALL | TAGS | SEMVER | STANDARD | ACCOUNT | ARN | SERVICE | ORG | AT | OF | PREFIX | PATTERN | SNAPSHOT | PRIORITY | SID | REPOSITORY | ALLOW_EMPTY | UNTAG | ARTIFACTS | TYPE | GATE | SCAN | SCANNING | REQUIRE | REGISTRY | REPLICATE | PROVE | NEVER | ALWAYS | NO | NEW;
