// The one table of rules. A new rule is a file in this directory plus one
// line here, and a page in docs/lint/<rule-id>.md.
#include "lint/rule.h"

namespace dbroll::lint {

extern const Rule kAddRequiredColumnRule;
extern const Rule kAddUniqueConstraintRule;
extern const Rule kAllowUnknownRuleRule;
extern const Rule kAllowWithoutReasonRule;
extern const Rule kColumnTypeChangeRule;
extern const Rule kConcurrentlyInTransactionRule;
extern const Rule kConstraintWithoutNotValidRule;
extern const Rule kCreateIndexNotConcurrentlyRule;
extern const Rule kDeleteWithoutWhereRule;
extern const Rule kDownDoesNotReverseRule;
extern const Rule kDownDropsUnrelatedRule;
extern const Rule kDropColumnRule;
extern const Rule kDropDatabaseRule;
extern const Rule kDropIndexNotConcurrentlyRule;
extern const Rule kDropNotNullRule;
extern const Rule kDropSchemaRule;
extern const Rule kDropTableRule;
extern const Rule kEditedMergedMigrationRule;
extern const Rule kEmptyDownRule;
extern const Rule kEnumValueRemovalRule;
extern const Rule kEnumValueUsedInTransactionRule;
extern const Rule kIrreversibleWithoutDirectiveRule;
extern const Rule kKeepDataRule;
extern const Rule kKeepDataWithoutKeyRule;
extern const Rule kMissingDownRule;
extern const Rule kMissingLockTimeoutRule;
extern const Rule kMysqlBlockingAlterRule;
extern const Rule kMysqlDashdashCommentRule;
extern const Rule kNonAtomicDdlRule;
extern const Rule kPreferBigintKeysRule;
extern const Rule kPreferIdentityRule;
extern const Rule kPreferTextFieldRule;
extern const Rule kPreferTimestamptzRule;
extern const Rule kReindexNotConcurrentlyRule;
extern const Rule kRenameColumnRule;
extern const Rule kRenameEnumValueRule;
extern const Rule kRenameTableRule;
extern const Rule kSetNotNullScanRule;
extern const Rule kSqlitePragmaInTransactionRule;
extern const Rule kStatementTimeoutDisabledRule;
extern const Rule kTableRewriteTypeChangeRule;
extern const Rule kTransactionControlRule;
extern const Rule kTruncateRule;
extern const Rule kUnparseableStatementRule;
extern const Rule kUpDownNamesDifferRule;
extern const Rule kUpdateWithoutWhereRule;
extern const Rule kVolatileDefaultRule;

const std::vector<Rule>& AllRules() {
  static const std::vector<Rule> kRules = {
      kAddRequiredColumnRule,
      kAddUniqueConstraintRule,
      kAllowUnknownRuleRule,
      kAllowWithoutReasonRule,
      kColumnTypeChangeRule,
      kConcurrentlyInTransactionRule,
      kConstraintWithoutNotValidRule,
      kCreateIndexNotConcurrentlyRule,
      kDeleteWithoutWhereRule,
      kDownDoesNotReverseRule,
      kDownDropsUnrelatedRule,
      kDropColumnRule,
      kDropDatabaseRule,
      kDropIndexNotConcurrentlyRule,
      kDropNotNullRule,
      kDropSchemaRule,
      kDropTableRule,
      kEditedMergedMigrationRule,
      kEmptyDownRule,
      kEnumValueRemovalRule,
      kEnumValueUsedInTransactionRule,
      kIrreversibleWithoutDirectiveRule,
      kKeepDataRule,
      kKeepDataWithoutKeyRule,
      kMissingDownRule,
      kMissingLockTimeoutRule,
      kMysqlBlockingAlterRule,
      kMysqlDashdashCommentRule,
      kNonAtomicDdlRule,
      kPreferBigintKeysRule,
      kPreferIdentityRule,
      kPreferTextFieldRule,
      kPreferTimestamptzRule,
      kReindexNotConcurrentlyRule,
      kRenameColumnRule,
      kRenameEnumValueRule,
      kRenameTableRule,
      kSetNotNullScanRule,
      kSqlitePragmaInTransactionRule,
      kStatementTimeoutDisabledRule,
      kTableRewriteTypeChangeRule,
      kTransactionControlRule,
      kTruncateRule,
      kUnparseableStatementRule,
      kUpDownNamesDifferRule,
      kUpdateWithoutWhereRule,
      kVolatileDefaultRule,
  };
  return kRules;
}

}  // namespace dbroll::lint
