<?php
// Sets up the test Moodle from one JSON request on stdin (tests/moodle/site.py MoodleSite.php):
//   {"course": {"shortname": ..., "fullname": ...},
//    "students": ["alice", ...], "password": "...",
//    "packages": [{"name": "...", "zip": "/path/to/package.zip"}, ...]}
// creates the course, the students (enrolled with the student role) and one SCORM activity per
// package, the way the "Add an activity" form does it: the zip in a draft file area,
// scorm_validate_package() as the form's validation, then add_moduleinfo() (which calls
// scorm_add_instance() and scorm_parse()). Prints one JSON object: the ids the tests need.
define('CLI_SCRIPT', true);
require(getenv('COURSEKIT_MOODLE_DIR') . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/course/modlib.php');
require_once($CFG->dirroot . '/user/lib.php');
require_once($CFG->libdir . '/enrollib.php');
require_once($CFG->dirroot . '/mod/scorm/lib.php');
require_once($CFG->dirroot . '/mod/scorm/locallib.php');

$request = json_decode(file_get_contents('php://stdin'), true);
if (!is_array($request)) {
    cli_error('setup.php: expected a JSON object on stdin');
}
\core\session\manager::set_user(get_admin());

$out = ['users' => [], 'packages' => []];

if (!empty($request['course'])) {
    $course = create_course((object) [
        'fullname' => $request['course']['fullname'],
        'shortname' => $request['course']['shortname'],
        'category' => $DB->get_field_select('course_categories', 'MIN(id)', '1 = 1'),
        'format' => 'topics',
        'numsections' => 1,
    ]);
} else {
    $course = $DB->get_record('course', ['id' => $request['courseid']], '*', MUST_EXIST);
}
$out['courseid'] = (int) $course->id;

$manual = enrol_get_plugin('manual');
$instance = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual'], '*', MUST_EXIST);
$student = $DB->get_record('role', ['shortname' => 'student'], '*', MUST_EXIST);
foreach ($request['students'] ?? [] as $name) {
    $userid = user_create_user((object) [
        'username' => $name,
        'password' => $request['password'],
        'firstname' => ucfirst($name),
        'lastname' => 'Learner',
        'email' => $name . '@example.org',
        'auth' => 'manual',
        'confirmed' => 1,
        'mnethostid' => $CFG->mnet_localhost_id,
    ]);
    $manual->enrol_user($instance, $userid, $student->id);
    $out['users'][$name] = (int) $userid;
}

$module = $DB->get_record('modules', ['name' => 'scorm'], '*', MUST_EXIST);
$cfg = get_config('scorm');
$usercontext = context_user::instance($USER->id);
$fs = get_file_storage();
foreach ($request['packages'] ?? [] as $package) {
    // the file picker's upload: the zip lands in the user's draft area
    $draftid = file_get_unused_draft_itemid();
    $file = $fs->create_file_from_pathname([
        'contextid' => $usercontext->id, 'component' => 'user', 'filearea' => 'draft',
        'itemid' => $draftid, 'filepath' => '/', 'filename' => basename($package['zip']),
    ], $package['zip']);
    // the form's validation (mod_scorm_mod_form::validation)
    $errors = scorm_validate_package($file);
    if ($errors) {
        fwrite(STDOUT, json_encode(['error' => 'scorm_validate_package', 'package' => $package['name'], 'errors' => $errors]) . "\n");
        exit(2);
    }
    // what the form submits with its defaults (mod_form.php: every setDefault from get_config('scorm'))
    $info = (object) [
        'modulename' => 'scorm', 'module' => $module->id, 'course' => $course->id, 'section' => 1,
        'visible' => 1, 'visibleoncoursepage' => 1, 'cmidnumber' => '', 'groupmode' => 0, 'groupingid' => 0,
        'name' => $package['name'], 'intro' => '', 'introformat' => FORMAT_HTML,
        'scormtype' => SCORM_TYPE_LOCAL, 'packagefile' => $draftid, 'updatefreq' => $cfg->updatefreq,
        'popup' => $cfg->popup, 'width' => $cfg->framewidth, 'height' => $cfg->frameheight,
        'skipview' => $cfg->skipview, 'hidebrowse' => $cfg->hidebrowse,
        'displaycoursestructure' => $cfg->displaycoursestructure, 'hidetoc' => $cfg->hidetoc,
        'nav' => $cfg->nav, 'navpositionleft' => $cfg->navpositionleft, 'navpositiontop' => $cfg->navpositiontop,
        'displayattemptstatus' => $cfg->displayattemptstatus,
        'timeopen' => 0, 'timeclose' => 0,
        'grademethod' => $package['grademethod'] ?? $cfg->grademethod, 'maxgrade' => $cfg->maxgrade,
        'maxattempt' => $cfg->maxattempt, 'whatgrade' => $cfg->whatgrade, 'forcenewattempt' => $cfg->forcenewattempt,
        'lastattemptlock' => $cfg->lastattemptlock, 'forcecompleted' => $cfg->forcecompleted,
        'auto' => $cfg->auto, 'autocommit' => $cfg->autocommit, 'masteryoverride' => $cfg->masteryoverride,
        'completion' => 0, 'completionscorerequired' => null, 'completionstatusrequired' => null,
        'completionstatusallscos' => 0,
    ];
    foreach (scorm_get_popup_options_array() as $key => $value) {
        $info->$key = $value;
    }
    $info = add_moduleinfo($info, $course);
    $scorm = $DB->get_record('scorm', ['id' => $info->instance], '*', MUST_EXIST);
    $scoes = [];
    foreach ($DB->get_records('scorm_scoes', ['scorm' => $scorm->id], 'sortorder, id') as $sco) {
        $scoes[] = ['id' => (int) $sco->id, 'identifier' => $sco->identifier, 'title' => $sco->title,
                    'launch' => $sco->launch, 'scormtype' => $sco->scormtype];
    }
    $gradeitem = $DB->get_field('grade_items', 'id', ['itemtype' => 'mod', 'itemmodule' => 'scorm',
                                                       'iteminstance' => $scorm->id, 'courseid' => $course->id]);
    $out['packages'][$package['name']] = [
        'cmid' => (int) $info->coursemodule, 'scormid' => (int) $scorm->id, 'version' => $scorm->version,
        'launch' => (int) $scorm->launch, 'gradeitem' => (int) $gradeitem, 'scoes' => $scoes,
        'grademethod' => (int) $scorm->grademethod, 'maxgrade' => (float) $scorm->maxgrade,
    ];
}

fwrite(STDOUT, json_encode($out) . "\n");
