// The build failed (invoker.buildResult); check that it failed for the right reason: the contract ran
// (tests counted, not zero), the violated property is named with the bug, and the properties that need
// an undeclared feature were reported skipped.
def log = new File(basedir, 'build.log').text
assert log =~ /Tests run: 9, Failures: 1, Errors: 0, Skipped: 3/ : 'contract not run as expected'
assert log.contains('membersNeverExceedCapacityPerCell') : 'violated property not named'
assert log =~ /holds 2 members, capacity 1/ : 'failure does not describe the bug'
assert log.contains('BUILD FAILURE')
return true
