; Simplified Chinese texts for the wizard pages this installer shows.
; Inno Setup ships no official Simplified Chinese translation, so this file overrides the
; messages of compiler:Default.isl (loaded first, see liaison-app.iss) that a user sees during a
; per-user install and uninstall. Names are those of Default.isl (Inno Setup 6).

[LangOptions]
LanguageName=简体中文
LanguageID=$0804
LanguageCodePage=936

[Messages]
SetupAppTitle=安装
SetupWindowTitle=安装 - %1
UninstallAppTitle=卸载
UninstallAppFullTitle=%1 卸载
InformationTitle=信息
ConfirmTitle=确认
ErrorTitle=错误
SetupAlreadyRunning=安装程序已在运行。
SetupAppRunningError=安装程序检测到 %1 正在运行。%n%n请先关闭它，然后单击“确定”继续，或单击“取消”退出。
UninstallAppRunningError=卸载程序检测到 %1 正在运行。%n%n请先关闭它，然后单击“确定”继续，或单击“取消”退出。
PrivilegesRequiredOverrideInstruction=选择安装方式
PrivilegesRequiredOverrideTaskDialogText2=%1 可以只为您安装(无需管理员权限)，也可以为所有用户安装(需要管理员权限)。
PrivilegesRequiredOverrideMsgBoxText2=%1 可以只为您安装(推荐)，也可以为所有用户安装(需要管理员权限)。%n%n只为您安装吗?
PrivilegesRequiredOverrideAllUsers=为所有用户安装
PrivilegesRequiredOverrideCurrentUser=只为我安装
PrivilegesRequiredOverrideRecommended=%1(推荐)
ExitSetupTitle=退出安装
ExitSetupMessage=安装尚未完成。如果现在退出，程序将不会被安装。%n%n您可以以后再运行安装程序完成安装。%n%n退出安装吗?
ButtonBack=< 上一步(&B)
ButtonNext=下一步(&N) >
ButtonInstall=安装(&I)
ButtonOK=确定
ButtonCancel=取消
ButtonYes=是(&Y)
ButtonYesToAll=全是(&A)
ButtonNo=否(&N)
ButtonNoToAll=全否(&O)
ButtonFinish=完成(&F)
ButtonBrowse=浏览(&B)...
ButtonWizardBrowse=浏览(&R)...
ButtonNewFolder=新建文件夹(&M)
ClickNext=单击“下一步”继续，或单击“取消”退出安装。
BrowseDialogTitle=浏览文件夹
BrowseDialogLabel=在下面的列表中选择一个文件夹，然后单击“确定”。
NewFolderName=新建文件夹
WelcomeLabel1=欢迎使用 [name] 安装向导
WelcomeLabel2=现在将在您的电脑上安装 [name/ver]。%n%n建议在继续之前关闭其他应用程序。
WizardSelectDir=选择安装位置
SelectDirDesc=要把 [name] 安装到哪里?
SelectDirLabel3=安装程序将把 [name] 安装到以下文件夹。
SelectDirBrowseLabel=单击“下一步”继续。如要选择其他文件夹，请单击“浏览”。
DiskSpaceMBLabel=至少需要 [mb] MB 可用磁盘空间。
WizardSelectTasks=选择附加任务
SelectTasksDesc=要执行哪些附加任务?
SelectTasksLabel2=选择安装 [name] 时要执行的附加任务，然后单击“下一步”。
WizardReady=准备安装
ReadyLabel1=安装程序已准备好在您的电脑上安装 [name]。
ReadyLabel2a=单击“安装”开始安装，或单击“上一步”查看或更改设置。
ReadyLabel2b=单击“安装”开始安装。
ReadyMemoDir=安装位置:
ReadyMemoTasks=附加任务:
WizardPreparing=正在准备安装
PreparingDesc=安装程序正在准备在您的电脑上安装 [name]。
WizardInstalling=正在安装
InstallingLabel=安装程序正在您的电脑上安装 [name]，请稍候。
FinishedHeadingLabel=[name] 安装完成
FinishedLabelNoIcons=安装程序已在您的电脑上安装了 [name]。
FinishedLabel=安装程序已在您的电脑上安装了 [name]。可通过已创建的快捷方式启动。
ClickFinish=单击“完成”退出安装。
RunEntryExec=运行 %1
StatusCreateDirs=正在创建文件夹...
StatusExtractFiles=正在复制文件...
StatusCreateIcons=正在创建快捷方式...
StatusSavingUninstall=正在保存卸载信息...
StatusRunProgram=正在完成安装...
StatusRollback=正在撤销更改...
SetupAborted=安装未完成。%n%n请解决问题后重新运行安装程序。
