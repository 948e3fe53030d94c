<?php
// Router for PHP's built-in server in front of the test Moodle (tests/moodle/site.py): every
// request goes to Moodle unchanged (return false); the bodies POSTed to
// mod/scorm/datamodel.php are also appended, one JSON object a line, to the file named by
// COURSEKIT_MOODLE_POSTLOG. Moodle sends the last LMSFinish/Terminate with sendBeacon as the
// page unloads: no recorder inside the page sees it, this log does.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$log = getenv('COURSEKIT_MOODLE_POSTLOG');
if ($log && $_SERVER['REQUEST_METHOD'] === 'POST' && substr($path, -strlen('/mod/scorm/datamodel.php')) === '/mod/scorm/datamodel.php') {
    $entry = ['time' => microtime(true), 'query' => $_GET, 'post' => $_POST];
    file_put_contents($log, json_encode($entry, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n", FILE_APPEND | LOCK_EX);
}
return false;
