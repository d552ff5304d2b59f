placeholder app.js http://127.0.0.1:8640
