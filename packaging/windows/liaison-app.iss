; Inno Setup 6 script: a per-user installer (no administrator rights needed) for Windows 10/11.
; Build the PyInstaller bundle first (on Windows: pyinstaller packaging\liaison-app.spec
; --distpath build-windows\dist), then compile this script with ISCC.
; The version is read from the built executable, whose version resource the spec writes from
; liaison_app/__init__.py: the one place the version is defined.

#define AppName "营商环境工作联络员台账"
#define AppExe "liaison-app.exe"
#define BuildDir "..\..\build-windows\dist\liaison-app"
#define AppVersion GetVersionNumbersString(BuildDir + "\" + AppExe)

[Setup]
AppId={{6F1C3E2A-9B4D-4C1E-8F3A-2D5B7C9E1A40}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=南岸区重庆经开区优化营商环境工作领导小组办公室
; per user, no administrator rights: {autopf} is %LOCALAPPDATA%\Programs for such installs
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\liaison-app
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
OutputDir=..\..\build-windows\installer
OutputBaseFilename=liaison-app-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\liaison-app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
VersionInfoVersion={#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
CloseApplications=yes

[Languages]
Name: "zh_CN"; MessagesFile: "compiler:Default.isl,ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "快捷方式:"; Flags: unchecked

[Files]
; the whole one-folder bundle: both programs and the shared runtime in _internal\
Source: "{#BuildDir}\liaison-app.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\liaison-app-cli.exe"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BuildDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "..\..\resources\icons\liaison-app.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\liaison-app.ico"
Name: "{autoprograms}\{#AppName} 卸载"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; IconFilename: "{app}\liaison-app.ico"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动 {#AppName}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: uninstalling removes only what was installed. The user's data (database,
; evidence files, backups) lives in %LOCALAPPDATA%\liaison-app, outside {app}, and is kept.
; Portable use: copy the installed folder to a USB stick and put an empty portable.txt beside
; liaison-app.exe; the data then lives in the data\ folder next to it.
