<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>信息公开目录</title>

</head>
<body>
<ul class="tree"><li><a href="/gkml/list.do?catalogId=4501">政府信息公开指南</a></li><li><a href="/gkml/list.do?catalogId=4502">政府信息公开年报</a></li></ul>
</body>
</html>
