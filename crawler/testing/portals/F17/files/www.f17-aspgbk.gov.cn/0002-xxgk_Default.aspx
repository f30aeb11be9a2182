<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>信息公开</title>

</head>
<body>
<ul><li><a href="NewsList.aspx?ClassID=26">政府信息公开指南</a></li><li><a href="NewsList.aspx?ClassID=27">政府信息公开年报</a></li></ul>
</body>
</html>
